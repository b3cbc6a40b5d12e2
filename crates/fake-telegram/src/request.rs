//! Decoding a Bot API request's parameters from JSON, multipart, url-encoded form and
//! query string into one [`Params`] value.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

/// Uploads up to Telegram's cloud API limit (50 MB) plus form overhead.
pub const BODY_LIMIT: usize = 60 * 1024 * 1024;

/// A file part of a multipart request.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: usize,
    /// The file itself, kept so tests can read what a person received.
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn describe(&self) -> String {
        format!(
            "upload {} ({} bytes)",
            self.file_name.as_deref().unwrap_or("unnamed"),
            self.size
        )
    }
}

/// A request's parameters, whatever encoding they came in.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub values: Map<String, Value>,
    /// Names whose values arrived as text (multipart, form, query) and still need to be
    /// converted to their declared types.
    pub textual: HashSet<String>,
    /// Field name → uploaded file (after resolving teloxide's `attach://` references).
    pub uploads: HashMap<String, Upload>,
}

impl Params {
    /// Parameters from a JSON object (anything else becomes a `_body` pseudo-field so
    /// validation rejects it).
    pub fn from_json(body: Value) -> Self {
        let values = match body {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("_body".into(), other);
                map
            }
        };
        Self {
            values,
            ..Self::default()
        }
    }

    fn insert_text(&mut self, key: String, value: String) {
        self.values.insert(key.clone(), Value::String(value));
        self.textual.insert(key);
    }

    /// The parameters as recorded for tests: values plus a description of each upload.
    pub fn to_record(&self) -> Value {
        let mut map = self.values.clone();
        for (name, upload) in &self.uploads {
            map.insert(name.clone(), Value::String(upload.describe()));
        }
        Value::Object(map)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str)
    }

    pub fn i64(&self, key: &str) -> Option<i64> {
        self.values.get(key).and_then(Value::as_i64)
    }

    pub fn bool(&self, key: &str) -> bool {
        self.values
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// Reads the parameters of `request`, merging the query string in.
pub async fn decode(query: Option<&str>, request: Request) -> Result<Params, String> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut params = if content_type.starts_with("multipart/form-data") {
        decode_multipart(request).await?
    } else {
        let body = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|e| format!("can't read request body: {e}"))?;
        if content_type.starts_with("application/x-www-form-urlencoded") {
            decode_form(&body)
        } else if body.iter().all(u8::is_ascii_whitespace) {
            Params::default()
        } else {
            let json: Value =
                serde_json::from_slice(&body).map_err(|e| format!("can't parse JSON body: {e}"))?;
            Params::from_json(json)
        }
    };
    if let Some(query) = query {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if !params.values.contains_key(key.as_ref()) {
                params.insert_text(key.into_owned(), value.into_owned());
            }
        }
    }
    Ok(params)
}

fn decode_form(body: &Bytes) -> Params {
    let mut params = Params::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        params.insert_text(key.into_owned(), value.into_owned());
    }
    params
}

async fn decode_multipart(request: Request) -> Result<Params, String> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| format!("can't parse multipart body: {e}"))?;
    let mut params = Params::default();
    let mut files: HashMap<String, Upload> = HashMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| format!("can't parse multipart body: {e}"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let is_file = file_name.is_some()
            || content_type
                .as_deref()
                .is_some_and(|ct| !ct.starts_with("text/plain"));
        let bytes = field
            .bytes()
            .await
            .map_err(|e| format!("can't read multipart field \"{name}\": {e}"))?;
        if is_file {
            files.insert(
                name,
                Upload {
                    file_name,
                    content_type,
                    size: bytes.len(),
                    bytes: bytes.to_vec(),
                },
            );
        } else {
            params.insert_text(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    // teloxide names the file part by a random id and puts `attach://<id>` in the field.
    let attached: Vec<(String, String)> = params
        .values
        .iter()
        .filter_map(|(key, value)| {
            let id = value.as_str()?.strip_prefix("attach://")?;
            files.contains_key(id).then(|| (key.clone(), id.to_owned()))
        })
        .collect();
    for (key, id) in attached {
        if let Some(upload) = files.remove(&id) {
            params.values.remove(&key);
            params.textual.remove(&key);
            params.uploads.insert(key, upload);
        }
    }
    params.uploads.extend(files);
    Ok(params)
}
