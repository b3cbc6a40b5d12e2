use std::time::Duration;

use fake_telegram::{FakeConfig, FakeTelegram, TestUser};
use serde_json::{Value, json};

/// More than 32 bits, like real user ids.
pub const ALICE: i64 = 5_000_000_001;
pub const BOB: i64 = 5_000_000_002;
pub const WAIT: Duration = Duration::from_secs(5);

pub struct Harness {
    pub fake: FakeTelegram,
    pub client: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with_config(FakeConfig::default()).await
    }

    pub async fn with_config(config: FakeConfig) -> Self {
        let fake = FakeTelegram::start(config).await.unwrap();
        fake.add_user(
            TestUser::new(ALICE, "Alice")
                .language("ru")
                .username("alice"),
        );
        fake.add_user(TestUser::new(BOB, "Bob").language("en"));
        Self {
            fake,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.fake.api_url(), self.fake.token())
    }

    /// Calls a Bot API method with a JSON body; returns the HTTP status and the envelope.
    pub async fn call(&self, method: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(method))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Calls a method that must succeed; returns `result`.
    pub async fn ok(&self, method: &str, body: Value) -> Value {
        let (status, envelope) = self.call(method, body.clone()).await;
        assert_eq!(status, 200, "{method} {body} answered {envelope}");
        assert_eq!(envelope["ok"], true);
        envelope["result"].clone()
    }

    /// Calls a method that must fail with `code` and `description`.
    pub async fn fails(&self, method: &str, body: Value, code: u16, description: &str) {
        let (status, envelope) = self.call(method, body.clone()).await;
        assert_eq!(status, code, "{method} {body} answered {envelope}");
        assert_eq!(
            envelope,
            json!({"ok": false, "error_code": code, "description": description}),
            "{method} {body}"
        );
    }

    /// Sends a message with one row of callback buttons; returns its message_id.
    pub async fn send_menu(&self, chat_id: i64, text: &str, buttons: &[(&str, &str)]) -> i64 {
        let row: Vec<Value> = buttons
            .iter()
            .map(|(text, data)| json!({"text": text, "callback_data": data}))
            .collect();
        let message = self
            .ok(
                "sendMessage",
                json!({"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                       "reply_markup": {"inline_keyboard": [row]}}),
            )
            .await;
        message["message_id"].as_i64().unwrap()
    }

    /// Short-polls and confirms everything; returns the updates.
    pub async fn poll(&self) -> Vec<Value> {
        let updates = self.ok("getUpdates", json!({"timeout": 0})).await;
        let updates = updates.as_array().unwrap().clone();
        if let Some(last) = updates.last() {
            let next = last["update_id"].as_i64().unwrap() + 1;
            self.ok("getUpdates", json!({"offset": next, "timeout": 0}))
                .await;
        }
        updates
    }
}
