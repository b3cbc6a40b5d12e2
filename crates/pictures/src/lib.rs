//! PNG pictures the bot sends.
//!
//! - [`qr_png`]: a QR code for a link, big enough to scan from a printed sheet on
//!   a wall: medium error correction (a smudge or a fold still reads), a quiet
//!   zone of four modules as the standard asks, each module a square of pixels.
//! - [`charts`]: charts for managers (heat map, bars, daily columns).

pub mod charts;

/// Pixels a module is drawn with.
const SCALE: usize = 10;

/// Modules of white border around the code (ISO/IEC 18004 asks for four).
const QUIET_ZONE: usize = 4;

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The text does not fit a QR code (thousands of characters).
    #[error("the text does not fit a QR code: {0}")]
    TooLong(String),
    #[error("cannot encode the PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot draw the chart: {0}")]
    Draw(String),
}

/// A QR code of `text` as a black-and-white PNG.
pub fn qr_png(text: &str) -> Result<Vec<u8>, PictureError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| PictureError::TooLong(e.to_string()))?;
    let modules = code.width();
    let dark = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let mut pixels = vec![u8::MAX; side * side];
    for (index, color) in dark.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (row, column) = (index / modules + QUIET_ZONE, index % modules + QUIET_ZONE);
        for y in row * SCALE..(row + 1) * SCALE {
            pixels[y * side + column * SCALE..y * side + (column + 1) * SCALE].fill(0);
        }
    }
    grey_png(&pixels, side)
}

/// An 8-bit greyscale square PNG of `side` pixels.
fn grey_png(pixels: &[u8], side: usize) -> Result<Vec<u8>, PictureError> {
    let side = u32::try_from(side).unwrap_or(u32::MAX);
    encode(pixels, side, side, png::ColorType::Grayscale)
}

/// An 8-bit RGB PNG.
fn rgb_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PictureError> {
    encode(pixels, width, height, png::ColorType::Rgb)
}

fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    colour: png::ColorType,
) -> Result<Vec<u8>, PictureError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decodes the PNG and reads the QR code in it with an independent reader.
    fn scan(png_bytes: &[u8]) -> (u32, String) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        let (width, height) = (info.width as usize, info.height as usize);
        assert_eq!(width, height, "square");
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            pixels[y * width + x]
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code");
        let (_, content) = grids[0].decode().unwrap();
        (info.width, content)
    }

    #[test]
    fn a_page_link_reads_back_from_the_picture() {
        let link = "https://t.me/trainbot_test_bot?start=p-Ab3dE6gH";
        let png_bytes = qr_png(link).unwrap();
        assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (side, content) = scan(&png_bytes);
        assert_eq!(content, link);
        // 48 bytes need version 4 at level M (33 modules), plus the quiet zone.
        assert_eq!(side as usize, (33 + 2 * QUIET_ZONE) * SCALE);
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_an_error_not_a_panic() {
        let long = "x".repeat(5_000);
        assert!(matches!(qr_png(&long), Err(PictureError::TooLong(_))));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// Any start parameter Telegram accepts reads back from its code.
        #[test]
        fn any_link_reads_back(payload in "[A-Za-z0-9_-]{1,64}") {
            let link = format!("https://t.me/parkbot?start={payload}");
            let (_, content) = scan(&qr_png(&link).unwrap());
            prop_assert_eq!(content, link);
        }
    }
}
