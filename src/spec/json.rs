//! Reading journey JSON text into [`JourneySpec`], reporting every problem
//! with its JSON path, line and column.

use super::scan::{Checks, check, locate_all};
use crate::error::{InvalidJourney, Problem, ProblemKind, did_you_mean};
use crate::spec::{
    JourneySpec, OutcomeSpec, PersonaSpec, ScaleSpec, StageSpec, TouchpointSpec, TransitionSpec,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const TOP_FIELDS: [&str; 9] = [
    "version",
    "name",
    "description",
    "scale",
    "stages",
    "personas",
    "outcomes",
    "touchpoints",
    "transitions",
];
const SCALE_FIELDS: [&str; 4] = ["min", "max", "neutral", "ties"];
const STAGE_FIELDS: [&str; 2] = ["id", "name"];
const PERSONA_FIELDS: [&str; 3] = ["name", "role", "weight"];
const TOUCHPOINT_FIELDS: [&str; 16] = [
    "id",
    "name",
    "emotion",
    "emotions",
    "duration",
    "stage",
    "channel",
    "owner",
    "tags",
    "actors",
    "improvement",
    "entry",
    "notes",
    "outcome",
    "evidence",
    "observed",
];
const IMPROVEMENT_FIELDS: [&str; 2] = ["emotion", "cost"];
const TRANSITION_FIELDS: [&str; 6] = [
    "from",
    "to",
    "probability",
    "label",
    "improvement",
    "observed",
];
const EVIDENCE_FIELDS: [&str; 4] = ["kind", "n", "sd", "source"];
const OBSERVED_FIELDS: [&str; 4] = ["cases", "starts", "ends", "base"];
const OBSERVED_ROUTE_FIELDS: [&str; 1] = ["cases"];
const ROUTE_IMPROVEMENT_FIELDS: [&str; 2] = ["probability", "cost"];
const OUTCOME_FIELDS: [&str; 4] = ["id", "name", "kind", "value"];

/// The fields an object of the file may have, and those it must have.
struct Fields {
    known: &'static [&'static str],
    required: &'static [&'static str],
}

const SCALE: Fields = Fields {
    known: &SCALE_FIELDS,
    required: &["min", "max"],
};
const STAGE: Fields = Fields {
    known: &STAGE_FIELDS,
    required: &["id", "name"],
};
const PERSONA: Fields = Fields {
    known: &PERSONA_FIELDS,
    required: &["name"],
};
const TOUCHPOINT: Fields = Fields {
    known: &TOUCHPOINT_FIELDS,
    required: &["id", "name", "emotion"],
};
const IMPROVEMENT: Fields = Fields {
    known: &IMPROVEMENT_FIELDS,
    required: &["emotion"],
};
const TRANSITION: Fields = Fields {
    known: &TRANSITION_FIELDS,
    required: &["from", "to"],
};
const ROUTE_IMPROVEMENT: Fields = Fields {
    known: &ROUTE_IMPROVEMENT_FIELDS,
    required: &["probability"],
};
const EVIDENCE: Fields = Fields {
    known: &EVIDENCE_FIELDS,
    required: &["kind"],
};
const OBSERVED: Fields = Fields {
    known: &OBSERVED_FIELDS,
    required: &["cases"],
};
const OBSERVED_ROUTE: Fields = Fields {
    known: &OBSERVED_ROUTE_FIELDS,
    required: &["cases"],
};
const OUTCOME: Fields = Fields {
    known: &OUTCOME_FIELDS,
    required: &["id", "name", "kind"],
};

/// Parse journey JSON text into a spec. Syntax errors carry line and column;
/// type errors and unknown fields are all collected, each with its JSON path
/// and position. No semantic validation happens here (see
/// [`Journey::from_spec`](crate::Journey::from_spec)).
///
/// # Errors
/// [`InvalidJourney`] listing every problem found.
///
/// ```
/// let err = peakend::parse_spec("{\"version\": 1,\n \"nmae\": \"x\", \"touchpoints\": []}").unwrap_err();
/// let p = &err.problems[0];
/// assert_eq!((p.line, p.column), (Some(2), Some(10)));
/// assert!(p.message.contains("did you mean `name`"));
/// ```
pub fn parse_spec(text: &str) -> Result<JourneySpec, InvalidJourney> {
    match parse_lenient(text) {
        (Some(spec), problems) if problems.is_empty() => Ok(spec),
        (_, problems) => Err(InvalidJourney { problems }),
    }
}

/// Parse as far as possible: the spec is `Some` whenever the only problems
/// are unknown fields (which are left out of it, and reported), so that
/// semantic validation can still report everything else in one go.
pub(crate) fn parse_lenient(text: &str) -> (Option<JourneySpec>, Vec<Problem>) {
    // A byte-order mark is not part of the JSON (editors on Windows write one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Fast path: a well-formed file deserializes straight into the spec
    // (serde rejects a repeated field of the format's objects, so a
    // duplicate key always takes the slow path). A number that reads as 0
    // although its digits are not needs an exponent: look only then.
    if let Ok(spec) = serde_json::from_str::<JourneySpec>(text) {
        let tiny = if text.contains("e-") || text.contains("E-") {
            check(
                text,
                Checks {
                    duplicate_keys: false,
                    underflow: true,
                },
            )
        } else {
            Vec::new()
        };
        return if tiny.is_empty() {
            (Some(spec), tiny)
        } else {
            (None, tiny)
        };
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let mut p = Problem::error("", syntax_message(&e)).of_kind(ProblemKind::Syntax);
            if e.line() > 0 {
                p.line = Some(e.line());
                p.column = Some(e.column().max(1));
            }
            return (None, vec![p]);
        }
    };
    let mut problems = check(
        text,
        Checks {
            duplicate_keys: true,
            underflow: true,
        },
    );
    let spec = decode(&value, &mut problems);
    locate_problems(text, &mut problems);
    let only_unknown = problems.iter().all(|p| p.kind == ProblemKind::UnknownField);
    (spec.filter(|_| only_unknown), problems)
}

fn syntax_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; we carry those separately.
    let s = e.to_string();
    let s = match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    format!("invalid JSON: {s}")
}

fn decode(value: &Value, problems: &mut Vec<Problem>) -> Option<JourneySpec> {
    let Some(obj) = value.as_object() else {
        problems.push(Problem::error(
            "",
            format!(
                "expected a journey object, found {}",
                describe_json_type(value)
            ),
        ));
        return None;
    };
    check_unknown(obj, "", &TOP_FIELDS, problems);
    let version = required::<u32>(obj, "", "version", problems);
    let name = required::<String>(obj, "", "name", problems);
    let description = optional::<String>(obj, "", "description", problems);
    let scale = match obj.get("scale") {
        Some(v) if !v.is_null() => {
            let complete = v
                .as_object()
                .is_none_or(|o| check_fields(o, "scale", &SCALE, problems));
            if complete {
                piece::<ScaleSpec>(&strip(v, &SCALE_FIELDS, &[]), "scale", problems).map(Some)
            } else {
                None
            }
        }
        _ => Some(None),
    };
    let stages = list::<StageSpec>(obj, "stages", &STAGE, problems, &[]);
    let outcomes = list::<OutcomeSpec>(obj, "outcomes", &OUTCOME, problems, &[]);
    let personas = match obj.get("personas") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(_) => list::<PersonaSpec>(obj, "personas", &PERSONA, problems, &[]),
    };
    let touchpoints = match obj.get("touchpoints") {
        None => {
            problems.push(
                Problem::error("", "missing field `touchpoints`")
                    .of_kind(ProblemKind::MissingField),
            );
            None
        }
        Some(_) => list::<TouchpointSpec>(
            obj,
            "touchpoints",
            &TOUCHPOINT,
            problems,
            &[
                ("improvement", &IMPROVEMENT),
                ("evidence", &EVIDENCE),
                ("observed", &OBSERVED),
            ],
        ),
    };
    let transitions = match obj.get("transitions") {
        None | Some(Value::Null) => Some(None),
        Some(_) => list::<TransitionSpec>(
            obj,
            "transitions",
            &TRANSITION,
            problems,
            &[
                ("improvement", &ROUTE_IMPROVEMENT),
                ("observed", &OBSERVED_ROUTE),
            ],
        )
        .map(Some),
    };
    Some(JourneySpec {
        version: version?,
        name: name?,
        description: description?,
        scale: scale?,
        stages: stages?,
        personas: personas?,
        outcomes: outcomes?,
        touchpoints: touchpoints?,
        transitions: transitions?,
    })
}

fn describe_json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

/// Report every unknown key of `obj` and every missing required one;
/// true when none is missing (the object can then be decoded).
fn check_fields(
    obj: &Map<String, Value>,
    base: &str,
    fields: &Fields,
    problems: &mut Vec<Problem>,
) -> bool {
    check_unknown(obj, base, fields.known, problems);
    let mut complete = true;
    for key in fields.required {
        if !obj.contains_key(*key) {
            problems.push(
                Problem::error(base, format!("missing field `{key}`"))
                    .of_kind(ProblemKind::MissingField),
            );
            complete = false;
        }
    }
    complete
}

/// Report every key of `obj` that is not in `known`, with a suggestion.
fn check_unknown(
    obj: &Map<String, Value>,
    base: &str,
    known: &[&str],
    problems: &mut Vec<Problem>,
) {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            let hint = match did_you_mean(key, known.iter().copied()) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => format!(
                    "; expected one of {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            problems.push(
                Problem::error(join(base, key), format!("unknown field `{key}`{hint}"))
                    .of_kind(ProblemKind::UnknownField),
            );
        }
    }
}

/// A copy of `v` without the keys that are not `known` (they are reported
/// by `check_fields`); with `nested`, the same one level down.
fn strip(v: &Value, known: &[&str], nested: &[(&str, &Fields)]) -> Value {
    let Value::Object(o) = v else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, x) in o {
        if known.contains(&k.as_str()) {
            let x = match nested.iter().find(|(key, _)| key == k) {
                Some((_, inner)) => strip(x, inner.known, &[]),
                None => x.clone(),
            };
            out.insert(k.clone(), x);
        }
    }
    Value::Object(out)
}

/// Deserialize one piece, reporting a type error at its exact path. The
/// piece comes without unknown fields (`strip`): `check_fields` reports
/// those, all of them.
fn piece<T: DeserializeOwned>(v: &Value, path: &str, problems: &mut Vec<Problem>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(v) {
        Ok(t) => Some(t),
        Err(e) => {
            let inner = e.path().to_string();
            let msg = e.inner().to_string();
            let full = if inner == "." || inner.is_empty() {
                path.to_string()
            } else {
                join(path, &inner)
            };
            problems.push(Problem::error(full, msg).of_kind(ProblemKind::WrongType));
            None
        }
    }
}

fn required<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    base: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match obj.get(key) {
        Some(v) => piece(v, &join(base, key), problems),
        None => {
            problems.push(
                Problem::error(base, format!("missing field `{key}`"))
                    .of_kind(ProblemKind::MissingField),
            );
            None
        }
    }
}

fn optional<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    base: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<Option<T>> {
    match obj.get(key) {
        Some(Value::Null) | None => Some(None),
        Some(v) => piece(v, &join(base, key), problems).map(Some),
    }
}

/// Decode an array field element by element so that every bad element is
/// reported, not just the first.
fn list<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
    fields: &Fields,
    problems: &mut Vec<Problem>,
    nested: &[(&str, &Fields)],
) -> Option<Vec<T>> {
    let Some(v) = obj.get(key) else {
        return Some(Vec::new());
    };
    let Some(items) = v.as_array() else {
        problems.push(
            Problem::error(
                key,
                format!("expected an array, found {}", describe_json_type(v)),
            )
            .of_kind(ProblemKind::WrongType),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let mut complete = true;
        if let Some(o) = item.as_object() {
            complete = check_fields(o, &path, fields, problems);
            for &(key, inner_fields) in nested {
                if let Some(Value::Object(inner)) = o.get(key) {
                    complete &=
                        check_fields(inner, &format!("{path}.{key}"), inner_fields, problems);
                }
            }
        }
        let decoded = if complete {
            piece::<T>(&strip(item, fields.known, nested), &path, problems)
        } else {
            None
        };
        match decoded {
            Some(t) => out.push(t),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Give every problem without a place the line and column of its JSON
/// path: one pass over the text for all of them.
pub(crate) fn locate_problems(text: &str, problems: &mut [Problem]) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let wanted: Vec<usize> = (0..problems.len())
        .filter(|&i| problems[i].line.is_none())
        .collect();
    let paths: Vec<&str> = wanted.iter().map(|&i| problems[i].path.as_str()).collect();
    let places = locate_all(text, &paths);
    for (i, place) in wanted.into_iter().zip(places) {
        if let Some((line, column)) = place {
            problems[i].line = Some(line);
            problems[i].column = Some(column);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_type_error() {
        let text = r#"{"version": 1, "name": "x", "touchpoints": [
            {"id": "a", "name": "A", "emotion": "high"},
            {"id": "b", "name": "B", "emotion": 1, "duraton": 3},
            {"id": "c", "emotion": 1}
        ]}"#;
        let err = parse_spec(text).unwrap_err();
        let shown: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(shown[0].starts_with("2:49: touchpoints[0].emotion: invalid type"));
        assert!(
            shown[1].contains(
                "touchpoints[1].duraton: unknown field `duraton`; did you mean `duration`?"
            )
        );
        assert!(shown[2].contains("touchpoints[2]: missing field `name`"));
        let kinds: Vec<ProblemKind> = err.problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::WrongType,
                ProblemKind::UnknownField,
                ProblemKind::MissingField
            ]
        );
    }

    #[test]
    fn reports_every_missing_field_with_its_kind() {
        let text = r#"{"version": 1, "name": "x", "scale": {"max": 5},
            "touchpoints": [{"id": "a", "improvement": {"cost": 2}}],
            "transitions": [{"from": "a"}]}"#;
        let err = parse_spec(text).unwrap_err();
        let shown: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            shown,
            [
                "1:38: scale: missing field `min`",
                "2:29: touchpoints[0]: missing field `name`",
                "2:29: touchpoints[0]: missing field `emotion`",
                "2:56: touchpoints[0].improvement: missing field `emotion`",
                "3:29: transitions[0]: missing field `to`",
            ],
        );
        assert!(
            err.problems
                .iter()
                .all(|p| p.kind == ProblemKind::MissingField)
        );
    }

    #[test]
    fn syntax_errors_are_of_kind_syntax() {
        let err = parse_spec("{\"version\": 1,").unwrap_err();
        assert_eq!(err.problems[0].kind, ProblemKind::Syntax);
        assert_eq!(err.problems[0].line, Some(1));
    }
}
