//! What Telegram shows about the bot: the command menu next to the text field in
//! every language (with `/admin` in the menus of admins' own chats), the
//! description and short description from the content pack, and the bot's own
//! username.

use domain::content::BotProfile;
use domain::ids::ChatId;
use domain::lang::Lang;
use engine::Engine;
use teloxide::Bot;
use teloxide::payloads::{
    DeleteMyCommandsSetters, GetMyCommandsSetters, GetMyDescriptionSetters,
    GetMyShortDescriptionSetters, SetMyCommandsSetters, SetMyDescriptionSetters,
    SetMyShortDescriptionSetters,
};
use teloxide::prelude::Requester;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use crate::errors::Failure;
use crate::outbound::{Retry, Via, call};

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
        call(Retry::BRIEF, Via::Direct, "setMyCommands", || {
            bot.set_my_commands(commands.clone())
                .language_code(lang.code())
        })
        .await?;
    }
    let default = list(Lang::Ru);
    call(Retry::BRIEF, Via::Direct, "setMyCommands", || {
        bot.set_my_commands(default.clone())
    })
    .await?;
    Ok(())
}

/// A request for `code`'s clients, or for clients in any language (`None`).
macro_rules! in_language {
    ($request:expr, $code:expr) => {
        match $code {
            Some(code) => $request.language_code(code),
            None => $request,
        }
    };
}

/// The language codes a menu or a text is set for: each language, then none (for
/// clients in any other language, which get `default`'s).
fn codes(default: Lang) -> impl Iterator<Item = (Option<&'static str>, Lang)> {
    Lang::ALL
        .into_iter()
        .map(|lang| (Some(lang.code()), lang))
        .chain([(None, default)])
}

/// Sets the bot's description and short description from the pack, in each
/// language and for clients in any other (the pack's default language), each only
/// when Telegram's differs. Returns how many texts were changed.
pub async fn describe(bot: &Bot, profile: &BotProfile, default: Lang) -> Result<usize, Failure> {
    let mut changed = 0;
    for (code, lang) in codes(default) {
        let wanted = profile.description.get(lang);
        let current = call(Retry::BRIEF, Via::Direct, "getMyDescription", || {
            in_language!(bot.get_my_description(), code)
        })
        .await?;
        if &current.description != wanted {
            call(Retry::BRIEF, Via::Direct, "setMyDescription", || {
                in_language!(bot.set_my_description().description(wanted.clone()), code)
            })
            .await?;
            changed += 1;
        }
        let wanted = profile.short_description.get(lang);
        let current = call(Retry::BRIEF, Via::Direct, "getMyShortDescription", || {
            in_language!(bot.get_my_short_description(), code)
        })
        .await?;
        if &current.short_description != wanted {
            call(Retry::BRIEF, Via::Direct, "setMyShortDescription", || {
                in_language!(
                    bot.set_my_short_description()
                        .short_description(wanted.clone()),
                    code
                )
            })
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn chat_scope(chat: ChatId) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(teloxide::types::ChatId(chat.0)),
    }
}

/// Gives an admin's (or role holder's) own chat everyone's commands and
/// `/admin`, in each language, setting only what differs from Telegram's.
/// Telegram refuses a chat that never wrote to the bot ("chat not found").
pub async fn admin_menu(bot: &Bot, chat: ChatId) -> Result<(), Failure> {
    let scope = chat_scope(chat);
    for (code, lang) in codes(Lang::Ru) {
        let wanted: Vec<BotCommand> = Engine::admin_commands(lang)
            .into_iter()
            .map(|(name, text)| BotCommand::new(name, text))
            .collect();
        let current = call(Retry::BRIEF, Via::Direct, "getMyCommands", || {
            in_language!(bot.get_my_commands().scope(scope.clone()), code)
        })
        .await?;
        if current != wanted {
            call(Retry::BRIEF, Via::Direct, "setMyCommands", || {
                in_language!(
                    bot.set_my_commands(wanted.clone()).scope(scope.clone()),
                    code
                )
            })
            .await?;
        }
    }
    Ok(())
}

/// Takes a chat's own menus away: it shows everyone's again (a role revoked).
pub async fn plain_menu(bot: &Bot, chat: ChatId) -> Result<(), Failure> {
    let scope = chat_scope(chat);
    for (code, _) in codes(Lang::Ru) {
        call(Retry::BRIEF, Via::Direct, "deleteMyCommands", || {
            in_language!(bot.delete_my_commands().scope(scope.clone()), code)
        })
        .await?;
    }
    Ok(())
}

/// The bot's username (without `@`), from `getMe`: invite links need it, and
/// asking Telegram means it can never disagree with a setting.
/// `None` only if Telegram sends a bot without one (it never should).
pub async fn username(bot: &Bot) -> Result<Option<String>, Failure> {
    let me = call(Retry::BRIEF, Via::Direct, "getMe", || bot.get_me()).await?;
    Ok(me.user.username)
}
