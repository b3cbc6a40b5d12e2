//! The audit log's one writer: every admin action and refusal goes through it.

use crate::context::Cx;
use crate::ports::{AdminStore, AuditEntry};

/// Writes an entry of the audit log with the person behind `cx` as the actor. A
/// log that cannot be written is logged; what was done stays done.
pub(crate) async fn audit(cx: &Cx, log: &dyn AdminStore, action: &str, detail: String) {
    let entry = AuditEntry {
        id: 0,
        at: cx.now(),
        actor: cx.user.id,
        action: action.to_owned(),
        detail,
    };
    if let Err(e) = log.record_audit(&entry).await {
        tracing::error!(error = %e, action, "cannot write the audit log");
    }
}
