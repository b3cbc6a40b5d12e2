//! The Bot API schema (`api.json`) and request validation against it.
//!
//! The schema is the copy shipped in this crate (`spec/api.json`, MIT, see
//! `spec/README.md`), embedded at build time so the fake needs no file beside the
//! repository; a path given in [`crate::FakeConfig`] or `TELEGRAM_API_SPEC` overrides it.
//!
//! Every request's parameters are checked here before any method logic runs: the method
//! exists, required fields are present, no unknown fields, and every value has one of
//! the declared types (objects recursively, unions through their subtypes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::FakeError;
use crate::request::Params;

/// The bundled schema's text (`spec/api.json`).
const BUNDLED_SPEC: &str = include_str!("../spec/api.json");

/// Where the bundled schema came from, for error messages.
const BUNDLED_SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/api.json");

/// The schema file to read instead of the bundled one: the explicit path, else
/// `TELEGRAM_API_SPEC` when set and not empty; `None` means the bundled copy.
pub fn override_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    std::env::var_os("TELEGRAM_API_SPEC")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

#[derive(Debug, Deserialize)]
struct RawSpec {
    methods: HashMap<String, RawEntry>,
    types: HashMap<String, RawEntry>,
}

#[derive(Debug, Deserialize)]
struct RawEntry {
    name: String,
    #[serde(default)]
    fields: Option<Vec<RawField>>,
    #[serde(default)]
    subtypes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawField {
    name: String,
    types: Vec<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    description: String,
}

/// One field of a method or type.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    pub types: Vec<String>,
    pub required: bool,
    /// The value a discriminator field must have (`"type": "default"`), from its description.
    pub literal: Option<String>,
}

/// A Bot API method.
#[derive(Debug, Clone)]
pub struct MethodSpec {
    /// Canonical lowerCamel name, e.g. `sendMessage`.
    pub name: String,
    pub fields: Vec<FieldSpec>,
}

impl MethodSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone)]
struct TypeSpec {
    fields: Option<Vec<FieldSpec>>,
    subtypes: Vec<String>,
}

/// The parsed schema.
#[derive(Debug)]
pub struct ApiSpec {
    methods: HashMap<String, MethodSpec>,
    types: HashMap<String, TypeSpec>,
}

fn literal_of(field: &RawField) -> Option<String> {
    if !matches!(field.name.as_str(), "type" | "source" | "status") {
        return None;
    }
    let desc = field.description.trim().trim_end_matches('.');
    let candidate = if let Some(pos) = desc.rfind("always “") {
        desc[pos + "always “".len()..].split('”').next()?.to_owned()
    } else if let Some(pos) = desc.rfind("must be ") {
        desc[pos + "must be ".len()..].to_owned()
    } else {
        return None;
    };
    let valid = !candidate.is_empty()
        && candidate
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(candidate)
}

fn convert_fields(fields: Vec<RawField>) -> Vec<FieldSpec> {
    fields
        .into_iter()
        .map(|f| FieldSpec {
            literal: literal_of(&f),
            name: f.name,
            types: f.types,
            required: f.required,
        })
        .collect()
}

impl ApiSpec {
    /// The schema to validate against: the file [`override_path`] names, else the
    /// bundled copy.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, FakeError> {
        match override_path(explicit) {
            Some(path) => Self::load(&path),
            None => Self::bundled(),
        }
    }

    /// The schema shipped with this crate (`spec/api.json`).
    pub fn bundled() -> Result<Self, FakeError> {
        Self::from_json(BUNDLED_SPEC).map_err(|reason| FakeError::Spec {
            path: PathBuf::from(BUNDLED_SPEC_PATH),
            reason,
        })
    }

    /// Reads and parses the schema at `path`.
    pub fn load(path: &Path) -> Result<Self, FakeError> {
        let text = std::fs::read_to_string(path).map_err(|e| FakeError::Spec {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text).map_err(|reason| FakeError::Spec {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// Parses the schema from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let raw: RawSpec = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let methods = raw
            .methods
            .into_values()
            .map(|m| {
                (
                    m.name.to_ascii_lowercase(),
                    MethodSpec {
                        name: m.name,
                        fields: convert_fields(m.fields.unwrap_or_default()),
                    },
                )
            })
            .collect();
        let types = raw
            .types
            .into_values()
            .map(|t| {
                (
                    t.name,
                    TypeSpec {
                        fields: t.fields.map(convert_fields),
                        subtypes: t.subtypes,
                    },
                )
            })
            .collect();
        Ok(Self { methods, types })
    }

    /// Looks a method up case-insensitively (teloxide sends `SendMessage`).
    pub fn method(&self, name: &str) -> Option<&MethodSpec> {
        self.methods.get(&name.to_ascii_lowercase())
    }

    /// Checks `params` against `method`, converting text values (multipart, form,
    /// query) to the declared JSON types on the way. The error is Telegram's
    /// description without `Bad Request: `.
    pub fn validate(&self, method: &MethodSpec, params: &mut Params) -> Result<(), String> {
        params.values.retain(|_, v| !v.is_null());
        for name in params.values.keys().chain(params.uploads.keys()) {
            if method.field(name).is_none() {
                return Err(format!("unknown field \"{name}\""));
            }
        }
        for field in method.fields.iter().filter(|f| f.required) {
            if !params.values.contains_key(&field.name) && !params.uploads.contains_key(&field.name)
            {
                return Err(format!("field \"{}\" is required", field.name));
            }
        }
        for (name, upload) in &params.uploads {
            let accepts_file = method
                .field(name)
                .is_some_and(|f| f.types.iter().any(|t| t == "InputFile"));
            if !accepts_file {
                return Err(format!(
                    "field \"{name}\" can't be a file upload ({})",
                    upload.describe()
                ));
            }
        }
        for field in &method.fields {
            let Some(value) = params.values.get_mut(&field.name) else {
                continue;
            };
            if params.textual.contains(&field.name) {
                coerce_text(value, &field.types);
            }
            self.check_value(&field.name, value, &field.types)?;
        }
        Ok(())
    }

    fn check_value(&self, path: &str, value: &Value, types: &[String]) -> Result<(), String> {
        let mut best: Option<(usize, String)> = None;
        for ty in types {
            match self.check_one(path, value, ty) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    let score = self.score(value, ty);
                    if best.as_ref().is_none_or(|(s, _)| score > *s) {
                        best = Some((score, e));
                    }
                }
            }
        }
        match best {
            Some((score, e)) if score > 0 || types.len() == 1 => Err(e),
            _ => Err(type_error(path, types)),
        }
    }

    /// How well an object value fits an object type: used to report the most relevant
    /// error when a value matches none of several types.
    fn score(&self, value: &Value, ty: &str) -> usize {
        let Some(object) = value.as_object() else {
            return 0;
        };
        let Some(spec) = self.types.get(ty) else {
            return 0;
        };
        if !spec.subtypes.is_empty() {
            return spec
                .subtypes
                .iter()
                .map(|s| self.score(value, s))
                .max()
                .unwrap_or(0);
        }
        let Some(fields) = &spec.fields else { return 0 };
        let mut score = 0;
        for field in fields {
            if let Some(v) = object.get(&field.name) {
                score += 1;
                if field
                    .literal
                    .as_deref()
                    .is_some_and(|l| v.as_str() == Some(l))
                {
                    score += 1000;
                }
            }
        }
        score
    }

    fn check_one(&self, path: &str, value: &Value, ty: &str) -> Result<(), String> {
        let ok = match ty {
            "Integer" => value.is_i64() || value.is_u64(),
            "Float" => value.is_number(),
            "String" | "InputFile" => value.is_string(),
            "Boolean" => value.is_boolean(),
            _ => {
                if let Some(inner) = ty.strip_prefix("Array of ") {
                    let Some(items) = value.as_array() else {
                        return Err(type_error(path, &[ty.to_owned()]));
                    };
                    let inner = [inner.to_owned()];
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(&format!("{path}[{i}]"), item, &inner)?;
                    }
                    return Ok(());
                }
                return self.check_object(path, value, ty);
            }
        };
        if ok {
            Ok(())
        } else {
            Err(type_error(path, &[ty.to_owned()]))
        }
    }

    fn check_object(&self, path: &str, value: &Value, ty: &str) -> Result<(), String> {
        let Some(spec) = self.types.get(ty) else {
            // A type the schema does not describe: nothing to check against.
            return Ok(());
        };
        if !spec.subtypes.is_empty() {
            return self.check_value(path, value, &spec.subtypes);
        }
        let Some(object) = value.as_object() else {
            return Err(type_error(path, &[ty.to_owned()]));
        };
        let Some(fields) = &spec.fields else {
            return Ok(());
        };
        for key in object.keys() {
            if !fields.iter().any(|f| &f.name == key) {
                return Err(format!("unknown field \"{path}.{key}\""));
            }
        }
        for field in fields {
            match object.get(&field.name) {
                None | Some(Value::Null) => {
                    if field.required {
                        return Err(format!("field \"{path}.{}\" is required", field.name));
                    }
                }
                Some(v) => {
                    let field_path = format!("{path}.{}", field.name);
                    self.check_value(&field_path, v, &field.types)?;
                    if let Some(literal) = &field.literal
                        && v.as_str() != Some(literal.as_str())
                    {
                        return Err(format!("field \"{field_path}\" must be \"{literal}\""));
                    }
                }
            }
        }
        Ok(())
    }
}

fn type_error(path: &str, types: &[String]) -> String {
    format!("field \"{path}\" must be of type {}", types.join(" or "))
}

/// Turns a text parameter into the JSON value its declared types call for.
fn coerce_text(value: &mut Value, types: &[String]) {
    let Some(text) = value.as_str() else { return };
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("Integer")
        && let Ok(n) = text.trim().parse::<i64>()
    {
        *value = Value::from(n);
        return;
    }
    if has("Float")
        && let Ok(n) = text.trim().parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(n)
    {
        *value = Value::Number(n);
        return;
    }
    if has("Boolean") {
        match text.trim() {
            "true" | "True" | "1" => {
                *value = Value::Bool(true);
                return;
            }
            "false" | "False" | "0" => {
                *value = Value::Bool(false);
                return;
            }
            _ => {}
        }
    }
    if has("String") || has("InputFile") {
        return;
    }
    if let Ok(parsed) = serde_json::from_str::<Value>(text) {
        *value = parsed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> ApiSpec {
        ApiSpec::bundled().unwrap()
    }

    fn check(method: &str, body: Value) -> Result<Params, String> {
        let spec = spec();
        let method = spec.method(method).unwrap().clone();
        let mut params = Params::from_json(body);
        spec.validate(&method, &mut params).map(|()| params)
    }

    #[test]
    fn the_bundled_spec_is_the_vendored_file_with_its_licence_beside_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
        assert_eq!(
            std::fs::read_to_string(dir.join("api.json")).unwrap(),
            BUNDLED_SPEC
        );
        let licence = std::fs::read_to_string(dir.join("LICENSE")).unwrap();
        assert!(licence.starts_with("MIT License"), "{licence}");
        assert!(licence.contains("Paul Larsen"), "{licence}");
        let spec = ApiSpec::bundled().unwrap();
        for method in [
            "getUpdates",
            "sendMessage",
            "editMessageText",
            "sendDocument",
        ] {
            assert!(spec.method(method).is_some(), "{method} missing");
        }
    }

    #[test]
    fn an_explicit_spec_path_overrides_the_bundled_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api.json");
        assert_eq!(override_path(Some(&path)), Some(path.clone()));

        // A missing override fails naming the file instead of falling back.
        let err = ApiSpec::resolve(Some(&path)).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");

        // A spec of one method: the override, not the bundled copy, is used.
        let one = r#"{"methods": {"getMe": {"name": "getMe"}}, "types": {}}"#;
        std::fs::write(&path, one).unwrap();
        let spec = ApiSpec::resolve(Some(&path)).unwrap();
        assert!(spec.method("getMe").is_some());
        assert!(spec.method("sendMessage").is_none());
    }

    #[test]
    fn methods_are_case_insensitive() {
        let spec = spec();
        assert_eq!(spec.method("SendMessage").unwrap().name, "sendMessage");
        assert_eq!(spec.method("getupdates").unwrap().name, "getUpdates");
        assert!(spec.method("sendTelepathy").is_none());
    }

    #[test]
    fn required_unknown_and_types() {
        assert_eq!(
            check("sendMessage", json!({"text": "x"})).unwrap_err(),
            "field \"chat_id\" is required"
        );
        assert_eq!(
            check("sendMessage", json!({"chat_id": 1, "text": "x", "x": 1})).unwrap_err(),
            "unknown field \"x\""
        );
        assert_eq!(
            check("sendMessage", json!({"chat_id": true, "text": "x"})).unwrap_err(),
            "field \"chat_id\" must be of type Integer or String"
        );
        assert!(
            check(
                "sendMessage",
                json!({"chat_id": 1, "text": "x", "parse_mode": null})
            )
            .is_ok()
        );
        assert!(check("sendMessage", json!({"chat_id": "@chan", "text": "x"})).is_ok());
    }

    #[test]
    fn nested_keyboard_is_checked() {
        let ok = json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}});
        assert!(check("sendMessage", ok).is_ok());
        let bad = json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": 5}]]}});
        assert_eq!(
            check("sendMessage", bad).unwrap_err(),
            "field \"reply_markup.inline_keyboard[0][0].callback_data\" must be of type String"
        );
        let unknown = json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "data": "b"}]]}});
        assert_eq!(
            check("sendMessage", unknown).unwrap_err(),
            "unknown field \"reply_markup.inline_keyboard[0][0].data\""
        );
        let missing = json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"callback_data": "b"}]]}});
        assert_eq!(
            check("sendMessage", missing).unwrap_err(),
            "field \"reply_markup.inline_keyboard[0][0].text\" is required"
        );
    }

    #[test]
    fn unions_use_discriminators() {
        assert!(
            check(
                "setMyCommands",
                json!({"commands": [], "scope": {"type": "default"}})
            )
            .is_ok()
        );
        assert!(
            check(
                "setMyCommands",
                json!({"commands": [], "scope": {"type": "chat", "chat_id": 5}})
            )
            .is_ok()
        );
        assert_eq!(
            check(
                "setMyCommands",
                json!({"commands": [], "scope": {"type": "chat"}})
            )
            .unwrap_err(),
            "field \"scope.chat_id\" is required"
        );
        assert!(
            check(
                "setMyCommands",
                json!({"commands": [], "scope": {"type": "bogus"}})
            )
            .is_err()
        );
    }

    #[test]
    fn text_params_are_coerced() {
        let mut params = Params::default();
        for (k, v) in [
            ("chat_id", "42"),
            ("text", "123"),
            ("disable_notification", "true"),
            ("reply_markup", "{\"inline_keyboard\":[]}"),
        ] {
            params.values.insert(k.into(), Value::String(v.into()));
            params.textual.insert(k.into());
        }
        let spec = spec();
        let method = spec.method("sendMessage").unwrap().clone();
        spec.validate(&method, &mut params).unwrap();
        assert_eq!(params.values["chat_id"], json!(42));
        assert_eq!(params.values["text"], json!("123"));
        assert_eq!(params.values["disable_notification"], json!(true));
        assert_eq!(
            params.values["reply_markup"],
            json!({"inline_keyboard": []})
        );
    }
}
