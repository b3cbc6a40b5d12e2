//! `trainbot sandbox` in a real browser: headless Chromium (Debian's `chromium`
//! and `chromium-driver`, driven over WebDriver with fantoccini) opens the page,
//! a staff member onboards, reads a page with its formatting, takes the
//! department's knowledge check and gets the certificate; an edit to the content
//! folder shows on the next press, and a broken folder shows its problem report.
//! Screenshots are taken at each step and checked to be pictures of the page;
//! `TRAINBOT_SCREENSHOTS=DIR` keeps them (those in `docs/sandbox/` were looked
//! at).
//!
//! Needs `TEST_CHROMEDRIVER` (the path of `chromedriver`; `.ci/run` installs
//! Debian's packages and sets it). Unset: the test says so and does nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use server::sandbox::Sandbox;

use crate::helpers::PATIENCE;
use crate::net::free_port;

fn chromedriver() -> Option<PathBuf> {
    match std::env::var_os("TEST_CHROMEDRIVER") {
        Some(path) if !path.is_empty() => Some(path.into()),
        _ => {
            println!("TEST_CHROMEDRIVER is not set: the browser test did not run");
            None
        }
    }
}

/// Stops chromedriver when the test ends, however it ends.
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A small pack: one park, one department whose path is one page and one
/// knowledge check of one question.
fn write_pack(dir: &Path) {
    let files = [
        (
            "pack.toml",
            r#"default_language = "ru"
languages = ["ru", "en"]

[[parks]]
id = "sunny"
timezone = "Europe/Moscow"
name = { ru = "Солнечный", en = "Sunny" }

[[departments]]
id = "hall"
section = "hall"
name = { ru = "Зал", en = "Hall" }
required_sections = ["hall"]
required_quizzes = ["hall-check"]
"#,
        ),
        (
            "hall/_section.toml",
            "order = 10\ntitle = { ru = \"Зал\", en = \"Hall\" }\n",
        ),
        (
            "hall/rules.md",
            "+++\norder = 1\ntitle = { ru = \"Правила зала\", en = \"Hall rules\" }\n+++\n\n::: ru\n**Главное правило:** *улыбаться* гостям.\n\n> Цитата дня\n\nСмотрите [сайт](https://example.org) и `код`.\n\n::: en\n**The rule:** *smile* at guests.\n",
        ),
        (
            "hall/_quiz.toml",
            r#"id = "hall-check"
pass_percent = 100
title = { ru = "Проверка: зал", en = "Check: hall" }

[[questions]]
id = "q1"
kind = "single"
points = 1
text = { ru = "Что главное в зале?", en = "What matters most in the hall?" }
options = [
  { ru = "Улыбка гостям", en = "Smiling at guests", correct = true },
  { ru = "Телефон", en = "The phone" },
]
"#,
        ),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The browser's session: headless Chromium with the flags this machine needs.
async fn browser(driver_port: u16, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=900,1100",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{driver_port}");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(error = %e, "chromedriver is not up yet");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    }
}

/// How many times the page has drawn the chat.
async fn renders(page: &Client) -> u64 {
    page.execute("return renders;", Vec::new())
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0)
}

/// Waits until the page has sent what was asked and drawn the chat since
/// `before` draws.
async fn settled(page: &Client, before: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let state = page
            .execute("return [busy, renders];", Vec::new())
            .await
            .unwrap();
        if state[0] == false && state[1].as_u64().unwrap_or(0) > before {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses the newest button whose label has `text` (labels start with an
/// emoji that marks the kind of button), waiting for it and for the answer.
async fn press(page: &Client, text: &str) {
    let xpath = format!(
        "(//div[@class='keyboard']//button[contains(normalize-space(), '{text}')])[last()]"
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let before = renders(page).await;
        // The chat is drawn anew every moment: a button found may be gone by
        // the click, so find it again.
        let clicked = match page.find(Locator::XPath(&xpath)).await {
            Ok(button) => button.click().await.is_ok(),
            Err(_) => false,
        };
        if clicked {
            return settled(page, before).await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no button {text:?} to press"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types `text` into the message box, sends it and waits for the answer.
async fn send(page: &Client, text: &str) {
    let before = renders(page).await;
    let input = page.find(Locator::Id("text")).await.unwrap();
    input.send_keys(text).await.unwrap();
    page.find(Locator::Id("send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    settled(page, before).await;
}

/// Waits until the chat shows an element matching `xpath`; its text.
async fn shows(page: &Client, xpath: &str) -> String {
    read(page, xpath, async |found| found.text().await).await
}

/// An attribute of the element matching `xpath` (waiting for it to show).
async fn attribute(page: &Client, xpath: &str, name: &str) -> Option<String> {
    read(page, xpath, async |found| found.attr(name).await).await
}

/// Waits until the chat shows an element matching `xpath` and reads `what` off
/// it. The chat is drawn anew every moment: an element found may be gone by the
/// time it is read, so it is found again.
async fn read<T>(
    page: &Client,
    xpath: &str,
    what: impl AsyncFn(&Element) -> Result<T, CmdError>,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let found = page
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("the page never showed {xpath}: {e}"));
        match what(&found).await {
            Ok(value) => return value,
            Err(CmdError::Standard(e))
                if e.error == ErrorStatus::StaleElementReference
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("cannot read {xpath}: {e}"),
        }
    }
}

/// A screenshot, checked to be a PNG picture of the page with the chat's
/// colours in it (not blank), kept under `TRAINBOT_SCREENSHOTS` when set.
async fn screenshot(page: &Client, name: &str) {
    let png_bytes = page.screenshot().await.unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(&png_bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(
        info.width >= 800 && info.height >= 600,
        "{name}: {}x{}",
        info.width,
        info.height
    );
    let channels = info.color_type.samples();
    let header_blue = pixels
        .chunks(channels)
        .take(info.buffer_size() / channels)
        .filter(|px| px[0] == 0x51 && px[1] == 0x7d && px[2] == 0xa2)
        .count();
    assert!(header_blue > 1_000, "{name}: the page's header is drawn");
    if let Some(dir) = std::env::var_os("TRAINBOT_SCREENSHOTS") {
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), &png_bytes).unwrap();
    }
}

#[tokio::test]
async fn a_content_author_sees_the_pack_in_the_browser_through_to_the_certificate() {
    let Some(chromedriver) = chromedriver() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let content = scratch.path().join("content");
    write_pack(&content);
    let sandbox = Sandbox::start(&content, 0)
        .await
        .expect("the sandbox starts");
    let driver_port = free_port();
    let _driver = Driver(
        std::process::Command::new(chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let page = browser(driver_port, &scratch.path().join("chromium")).await;
    page.goto(&format!("http://{}", sandbox.addr))
        .await
        .unwrap();
    shows(&page, "//header//button[contains(., 'Анна')]").await;

    // Onboarding: park, department, position skipped.
    send(&page, "/start").await;
    press(&page, "Солнечный").await;
    press(&page, "Зал").await;
    press(&page, "Пропустить").await;
    screenshot(&page, "1-onboarded").await;

    // The section and its page, with the page's formatting.
    send(&page, "/menu").await;
    press(&page, "Зал").await;
    press(&page, "Правила зала").await;
    let bold = shows(&page, "(//div[@class='text']//b)[last()]").await;
    assert_eq!(bold, "Главное правило:");
    shows(&page, "//div[@class='text']//i[.='улыбаться']").await;
    shows(&page, "//div[@class='text']//blockquote").await;
    assert_eq!(
        attribute(&page, "//div[@class='text']//a[.='сайт']", "href")
            .await
            .as_deref(),
        Some("https://example.org")
    );
    screenshot(&page, "2-page").await;

    // The page counts as read once the activity is written (every 2 s).
    tokio::time::sleep(Duration::from_secs(3)).await;
    send(&page, "/quiz").await;
    press(&page, "Проверка: зал").await;
    press(&page, "Улыбка гостям").await;
    shows(&page, "//div[@class='text'][contains(., 'Верно')]").await;
    screenshot(&page, "3-answered").await;
    press(&page, "Результат").await;
    let certificate = shows(
        &page,
        "//div[contains(@class,'message')][.//a[@class='file']]//div[@class='text']",
    )
    .await;
    assert!(
        certificate.contains("TB-"),
        "the certificate's code: {certificate}"
    );
    let href = attribute(&page, "(//a[@class='file'])[last()]", "href")
        .await
        .expect("the file has a link");
    let pdf = reqwest::get(format!("http://{}{}", sandbox.addr, href))
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    screenshot(&page, "4-certificate").await;

    // An author edits the page: the next press shows it.
    let rules = content.join("hall/rules.md");
    let edited = std::fs::read_to_string(&rules)
        .unwrap()
        .replace("Главное правило:", "Самое главное правило:");
    std::fs::write(&rules, edited).unwrap();
    send(&page, "/menu").await;
    press(&page, "Зал").await;
    press(&page, "Правила зала").await;
    shows(
        &page,
        "(//div[@class='text']//b)[last()][.='Самое главное правило:']",
    )
    .await;

    // A broken pack: its problems show on the page, the bot keeps the last good one.
    std::fs::write(
        content.join("hall/_quiz.toml"),
        "id = \"hall-check\"\nbroken = [",
    )
    .unwrap();
    send(&page, "/menu").await;
    let problems = shows(&page, "//div[@id='problems'][contains(., '_quiz.toml')]").await;
    assert!(problems.contains("hall/_quiz.toml"), "{problems}");
    press(&page, "Зал").await;
    screenshot(&page, "5-broken-pack").await;

    page.close().await.unwrap();
    sandbox.stop().await;
}
