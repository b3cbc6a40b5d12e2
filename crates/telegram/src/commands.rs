//! The command menu Telegram shows next to the text field, in every language, and
//! the bot's own username.

use domain::lang::Lang;
use engine::Engine;
use teloxide::Bot;
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::prelude::Requester;
use teloxide::types::BotCommand;

use crate::errors::Failure;
use crate::outbound::{Retry, call};

/// Registers the commands for each language, and the default language's for clients
/// in any other language.
pub async fn register(bot: &Bot) -> Result<(), Failure> {
    let list = |lang: Lang| -> Vec<BotCommand> {
        Engine::commands(lang)
            .into_iter()
            .map(|(name, text)| BotCommand::new(name, text))
            .collect()
    };
    for lang in Lang::ALL {
        let commands = list(lang);
        call(Retry::PATIENT, None, "setMyCommands", || {
            bot.set_my_commands(commands.clone())
                .language_code(lang.code())
        })
        .await?;
    }
    let default = list(Lang::Ru);
    call(Retry::PATIENT, None, "setMyCommands", || {
        bot.set_my_commands(default.clone())
    })
    .await?;
    Ok(())
}

/// The bot's username (without `@`), from `getMe`: invite links need it, and
/// asking Telegram means it can never disagree with a setting.
/// `None` only if Telegram sends a bot without one (it never should).
pub async fn username(bot: &Bot) -> Result<Option<String>, Failure> {
    let me = call(Retry::PATIENT, None, "getMe", || bot.get_me()).await?;
    Ok(me.user.username)
}
