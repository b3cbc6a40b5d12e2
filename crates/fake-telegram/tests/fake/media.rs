use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{ALICE, Harness};

async fn multipart(h: &Harness, method: &str, form: Form) -> (u16, Value) {
    let response = h
        .client
        .post(h.url(method))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn upload_then_reuse_the_file_id() {
    let h = Harness::start().await;
    let form = Form::new()
        .text("chat_id", ALICE.to_string())
        .text("caption", "<b>Kitchen</b> rules")
        .text("parse_mode", "HTML")
        .text(
            "reply_markup",
            r#"{"inline_keyboard":[[{"text":"Back","callback_data":"back"}]]}"#,
        )
        .part(
            "photo",
            Part::bytes(vec![7u8; 2048])
                .file_name("kitchen.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let (status, envelope) = multipart(&h, "SendPhoto", form).await;
    assert_eq!(status, 200, "{envelope}");
    let message = &envelope["result"];
    let photo = &message["photo"][0];
    let file_id = photo["file_id"].as_str().unwrap().to_owned();
    assert_eq!(photo["file_size"], 2048);
    assert!(
        photo["width"].is_u64() && photo["height"].is_u64() && photo["file_unique_id"].is_string()
    );
    assert_eq!(message["caption"], "Kitchen rules");
    assert_eq!(
        message["caption_entities"],
        json!([{"type": "bold", "offset": 0, "length": 7}])
    );
    assert_eq!(
        message["reply_markup"]["inline_keyboard"][0][0]["text"],
        "Back"
    );
    assert_eq!(h.fake.uploads(), 1);
    let seen = h.fake.last_bot_message(ALICE).unwrap();
    assert_eq!(seen.media.unwrap().file_id, file_id);
    assert_eq!(seen.caption.as_deref(), Some("Kitchen rules"));

    let again = h
        .ok("sendPhoto", json!({"chat_id": ALICE, "photo": file_id}))
        .await;
    assert_eq!(again["photo"][0]["file_id"], file_id.as_str());
    assert_eq!(h.fake.uploads(), 1);

    h.fails(
        "sendVideo",
        json!({"chat_id": ALICE, "video": file_id}),
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    .await;
    h.fails(
        "sendDocument",
        json!({"chat_id": ALICE, "document": "BQACAgInvented"}),
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    .await;
    assert_eq!(h.fake.violations().len(), 2);
}

#[tokio::test]
async fn teloxide_style_attach_uploads_work() {
    let h = Harness::start().await;
    let form = Form::new()
        .text("chat_id", ALICE.to_string())
        .text("document", "attach://f0a1")
        .part(
            "f0a1",
            Part::bytes(b"%PDF-1.4".to_vec())
                .file_name("rules.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let (status, envelope) = multipart(&h, "SendDocument", form).await;
    assert_eq!(status, 200, "{envelope}");
    let document = &envelope["result"]["document"];
    assert_eq!(document["file_name"], "rules.pdf");
    assert_eq!(document["mime_type"], "application/pdf");
    assert_eq!(document["file_size"], 8);
    assert_eq!(h.fake.uploads(), 1);
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn video_upload_has_video_fields() {
    let h = Harness::start().await;
    let form = Form::new()
        .text("chat_id", ALICE.to_string())
        .part("video", Part::bytes(vec![1u8; 10]).file_name("safety.mp4"));
    let (status, envelope) = multipart(&h, "sendVideo", form).await;
    assert_eq!(status, 200, "{envelope}");
    let video = &envelope["result"]["video"];
    for field in [
        "file_id",
        "file_unique_id",
        "width",
        "height",
        "duration",
        "file_size",
    ] {
        assert!(!video[field].is_null(), "{field} missing in {video}");
    }
    // A text edit cannot touch a media message; a caption edit can.
    let id = envelope["result"]["message_id"].clone();
    let edited = h
        .ok(
            "editMessageCaption",
            json!({"chat_id": ALICE, "message_id": id, "caption": "Safety"}),
        )
        .await;
    assert_eq!(edited["caption"], "Safety");
}

#[tokio::test]
async fn uploads_to_text_fields_are_rejected() {
    let h = Harness::start().await;
    let form = Form::new()
        .text("chat_id", ALICE.to_string())
        .part("text", Part::bytes(vec![1u8; 3]).file_name("x.txt"));
    let (status, envelope) = multipart(&h, "sendMessage", form).await;
    assert_eq!(status, 400);
    assert_eq!(
        envelope["description"],
        "Bad Request: field \"text\" can't be a file upload (upload x.txt (3 bytes))"
    );
}

#[tokio::test]
async fn a_persons_photo_can_be_forwarded_by_file_id() {
    let h = Harness::start().await;
    h.fake.send_photo(ALICE);
    let updates = h.poll().await;
    let file_id = updates[0]["message"]["photo"][0]["file_id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.ok("sendPhoto", json!({"chat_id": ALICE, "photo": file_id}))
        .await;
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn form_and_query_parameters_are_accepted() {
    let h = Harness::start().await;
    let response = h
        .client
        .post(h.url("sendMessage"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "chat_id={ALICE}&text=form%20text&disable_notification=true"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let url = format!("{}?chat_id={ALICE}&text=query+text", h.url("sendMessage"));
    let response = h.client.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let texts: Vec<_> = h
        .fake
        .messages(ALICE)
        .into_iter()
        .filter_map(|m| m.text)
        .collect();
    assert_eq!(texts, vec!["form text".to_owned(), "query text".to_owned()]);
    let recorded = h.fake.requests();
    assert_eq!(recorded[0].params["chat_id"], ALICE);
    assert_eq!(recorded[0].params["disable_notification"], true);
}
