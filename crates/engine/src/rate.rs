//! How often an admin may run an expensive action (an export, a content reload).

use std::time::Duration;

use domain::html::Html;

use crate::action::Action;
use crate::context::Cx;
use crate::error::{EngineError, unavailable};
use crate::i18n::t_args;
use crate::ports::StateStore;

/// Whether an expensive admin action may run now: one per `interval` per `key`.
/// Otherwise the admin is told (`refusal` names the wait in `seconds`).
pub(crate) async fn rate_allows(
    cx: &mut Cx,
    state: &dyn StateStore,
    key: &str,
    interval: Duration,
    refusal: &str,
) -> Result<bool, EngineError> {
    match state.claim(key, interval).await {
        Ok(true) => Ok(true),
        Ok(false) => {
            let text = Html::escape(&t_args(
                cx.lang(),
                refusal,
                &[("seconds", interval.as_secs().into())],
            ));
            cx.actions.push(Action::Send {
                chat: cx.chat,
                text,
                keyboard: None,
            });
            Ok(false)
        }
        Err(e) => Err(unavailable("cannot check an admin's rate limit", e)),
    }
}
