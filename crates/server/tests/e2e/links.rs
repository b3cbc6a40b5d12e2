//! Deep links and QR codes, end to end: an admin finds a page's link on its
//! content card and gets its QR code as a photo, which an independent reader
//! (rqrr) decodes back to the link; staff who open the link land on the page, a
//! stranger in invite mode gets the staff-only screen, a link to a page the pack
//! no longer has says so; a certificate's link opens the check for admins only.

use domain::ids::UserId;
use fake_telegram::MediaKind;

use crate::content::target;
use crate::helpers::{Stack, TestApp, buttons, heading};

const ADMIN: i64 = 9_200_000_001;
const STAFF: i64 = 9_200_000_002;
const STRANGER: i64 = 9_200_000_003;

/// The QR code in a PNG, read by rqrr.
fn scan(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let (width, height) = (info.width as usize, info.height as usize);
    let stride = pixels.len() / height;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels[y * stride + x * (stride / width)]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn a_pages_link_and_qr_code_lead_staff_to_the_page() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let t = target(&app.pack);
    let admin = app.admin(ADMIN).await;
    admin.presses("📝 Content").await;
    admin.presses(&format!("📂 {}", t.section_title)).await;
    let card = admin.presses(&format!("📄 {}", t.page_title)).await;
    let text = card.text.clone().unwrap();
    let link = text
        .lines()
        .find_map(|l| l.strip_prefix("Link for staff: "))
        .unwrap_or_else(|| panic!("the card shows the page's link: {text}"))
        .to_owned();
    assert_eq!(
        link,
        format!("https://t.me/trainbot_test_bot?start=p-{}", t.node)
    );

    admin.presses("🔳 QR code").await;
    let photo = app
        .fake
        .messages(ADMIN)
        .into_iter()
        .rev()
        .find(|m| m.media.as_ref().is_some_and(|m| m.kind == MediaKind::Photo))
        .expect("the QR code arrives as a photo");
    assert!(photo.caption.clone().unwrap().contains(&link), "{photo:?}");
    let png = app
        .fake
        .file_content(&photo.media.unwrap().file_id)
        .expect("the uploaded picture");
    assert_eq!(scan(&png), link, "the code holds the link");

    // Staff who scan it land on the page.
    let parameter = link.split("?start=").nth(1).unwrap();
    let now = time::OffsetDateTime::now_utc();
    app.enrol([STAFF], None, None, now).await;
    let storage = app.storage().await;
    storage
        .grant_access(UserId(STAFF), "test", now)
        .await
        .unwrap();
    let staff = app.person(STAFF, "Olga", "en");
    let page = staff.sends(&format!("/start {parameter}")).await;
    assert!(
        heading(&page).contains(&t.page_title),
        "the page, not the menu: {page:?}"
    );

    // A stranger (invite mode) is not let in by a page's link, nor told it is a
    // bad invite: they see what anyone does.
    let stranger = app.person(STRANGER, "Ivan", "en");
    let refused = stranger.sends(&format!("/start {parameter}")).await;
    assert!(
        refused
            .text
            .clone()
            .unwrap()
            .contains("for the staff of our family parks"),
        "{refused:?}"
    );
    assert!(
        !refused
            .text
            .clone()
            .unwrap()
            .contains("invite link is not valid")
    );
    assert_eq!(buttons(&refused), ["🙋 Request access"]);

    // A page the pack no longer has.
    let gone = staff.sends("/start p-00000000").await;
    assert!(
        gone.text.unwrap().contains("no longer in the training"),
        "said so, over the menu"
    );
    app.assert_clean();
}

#[tokio::test]
async fn a_certificates_link_opens_the_check_for_admins_only() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    admin.sends("/start c-TB-7K2QX9AB").await;
    let checked = app.fake.last_bot_message(ADMIN).unwrap();
    assert_eq!(
        checked.text.unwrap(),
        "Certificate TB-7K2QX9AB was not found."
    );
    app.enrol([STAFF], None, None, time::OffsetDateTime::now_utc())
        .await;
    let staff = app.person(STAFF, "Olga", "en");
    staff.sends("/start c-TB-7K2QX9AB").await;
    let greeted = app.fake.last_bot_message(STAFF).unwrap();
    let text = greeted.text.unwrap();
    assert!(text.starts_with("Hello, "), "{text}");
    assert!(!text.contains("TB-7K2QX9AB"), "{text}");
    app.assert_clean();
}
