//! The admin password check without argon2, for the engine's tests and benches.

use async_trait::async_trait;
use engine::ports::PasswordCheck;

/// Accepts exactly this password.
pub struct FixedPassword(pub &'static str);

#[async_trait]
impl PasswordCheck for FixedPassword {
    async fn matches(&self, password: &str) -> bool {
        password == self.0
    }

    fn credential(&self) -> String {
        "the admin hash".to_owned()
    }
}
