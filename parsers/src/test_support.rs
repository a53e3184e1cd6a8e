//! Test support shared by the parser modules: fixtures from `testdata/parsers/<dir>/`, and the
//! never-panics drive (every prefix of every fixture, CRLF copies, pseudo-random bytes) that also
//! checks the cheap properties every parser promises.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::PathBuf;

use crate::Parsed;

/// `fixture!("netstat_iface", "file.txt")`: the text of `testdata/parsers/<dir>/<file>`, for a
/// test that asserts values read off that one file.
macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/parsers/",
            $dir,
            "/",
            $name
        ))
    };
}
pub(crate) use fixture;

/// The value of a parse that must have met no problem (they are printed when it did).
#[track_caller]
pub(crate) fn clean<T>(parsed: Parsed<T>) -> T {
    assert!(parsed.problems.is_empty(), "{:#?}", parsed.problems);
    parsed.value
}

/// Every fixture under `testdata/parsers/<dir>/` as `(file name, text)`, sorted by name, without
/// the `PROVENANCE.md` that describes them. A test that runs over these runs over every real
/// capture, including one added later, without listing it.
pub(crate) fn fixtures(dir: &str) -> Vec<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/parsers")
        .join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| {
            let entry = entry.expect("directory entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path()).expect("fixture readable");
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .filter(|(name, _)| name != "PROVENANCE.md")
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", path.display());
    out
}

/// The one never-panics and property check every parser's parse function goes through. Over
/// `fixtures` (as from [`fixtures`]):
/// - prefixes of every fixture (every char boundary in its first 4 kB, see [`prefix_ends`]), and pseudo-random byte strings (drawn
///   from the fixtures' own bytes plus line ends, so they reach deep into the grammar), parse
///   without a panic and report every problem on a line the text has (or 0, the whole text);
/// - the CRLF copy of each fixture parses to the same value and problems as its LF copy
///   (captures copied through Windows tools arrive that way).
pub(crate) fn never_panics<T: PartialEq + Debug>(
    fixtures: &[(String, String)],
    parse: impl Fn(&str) -> Parsed<T>,
) {
    let checked = |text: &str| {
        let parsed = parse(text);
        assert_problem_lines_exist(text, &parsed);
        parsed
    };
    for (name, text) in fixtures {
        for end in prefix_ends(text) {
            checked(&text[..end]);
        }
        let lf = with_line_ends(text, "\n");
        let crlf = with_line_ends(text, "\r\n");
        assert_eq!(
            checked(&lf),
            checked(&crlf),
            "{name}: CRLF copy parses differently"
        );
    }
    let alphabet = alphabet_of(fixtures);
    random_texts(0x2545_f491_4f6c_dd1d, 2000, 300, &alphabet, |text| {
        checked(text);
    });
    random_splices(0x9e37_79b9_7f4a_7c15, 2000, fixtures, |text| {
        checked(text);
    });
}

/// Calls `parse` on `count` texts of up to 12 lines drawn at random from the fixtures, some cut
/// short: real lines in orders no capture has (a header after rows, a row under the wrong
/// header), which random bytes almost never spell.
fn random_splices(
    mut seed: u64,
    count: usize,
    fixtures: &[(String, String)],
    mut parse: impl FnMut(&str),
) {
    let lines: Vec<&str> = fixtures
        .iter()
        .flat_map(|(_, text)| text.split_inclusive('\n'))
        .collect();
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % (1 << 32)).expect("32 bits fit")
    };
    for _ in 0..count {
        let mut text = String::new();
        for _ in 0..next() % 13 {
            let line = lines[next() % lines.len()];
            let mut end = if next() % 4 == 0 {
                next() % (line.len() + 1)
            } else {
                line.len()
            };
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            text.push_str(&line[..end]);
        }
        parse(&text);
    }
}

/// Where [`never_panics`] cuts `text`: every char boundary of the first [`EVERY_CUT_BYTES`], then
/// every line end (with and without its newline) and every [`SAMPLE_STEP`]th byte. Parsing every
/// prefix of a 35 kB `sar` capture is quadratic (about a minute); the head of a capture is where
/// the header and first rows, so most of the grammar, are, and later cuts at line ends and in the
/// middle of lines reach the same states.
fn prefix_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    (0..=text.len()).filter(move |&end| {
        text.is_char_boundary(end)
            && (end <= EVERY_CUT_BYTES
                || end == text.len()
                || end % SAMPLE_STEP == 0
                || text[end..].starts_with('\n')
                || text[..end].ends_with('\n'))
    })
}

/// See [`prefix_ends`].
const EVERY_CUT_BYTES: usize = 4096;
/// See [`prefix_ends`].
const SAMPLE_STEP: usize = 61;

/// Every problem's line is 0 (the whole text) or a line the text has.
fn assert_problem_lines_exist<T>(text: &str, parsed: &Parsed<T>) {
    let lines = text.lines().count();
    for problem in &parsed.problems {
        assert!(
            problem.line <= lines,
            "problem on line {} of a {lines}-line text: {:?}\n{text:?}",
            problem.line,
            problem.message
        );
    }
}

/// `text` with every line end (LF or CRLF) made `end`.
fn with_line_ends(text: &str, end: &str) -> String {
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect::<Vec<_>>()
        .join(end)
}

/// The distinct bytes of the fixtures, plus line ends, a tab and a byte that is not UTF-8.
fn alphabet_of(fixtures: &[(String, String)]) -> Vec<u8> {
    let mut seen = [false; 256];
    for byte in fixtures
        .iter()
        .flat_map(|(_, text)| text.bytes())
        .chain(*b"\n\n\n\r\t\xff")
    {
        seen[usize::from(byte)] = true;
    }
    (0..=255u8).filter(|b| seen[usize::from(*b)]).collect()
}

/// Calls `parse` on `count` texts of up to `max_len` bytes drawn from `alphabet` by a xorshift
/// generator started at `seed` (deterministic, so a failure reproduces).
pub(crate) fn random_texts(
    mut seed: u64,
    count: usize,
    max_len: u64,
    alphabet: &[u8],
    mut parse: impl FnMut(&str),
) {
    for _ in 0..count {
        let mut bytes = Vec::new();
        for _ in 0..(seed % max_len) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        parse(&String::from_utf8_lossy(&bytes));
    }
}

/// Asserts that `counters` (of the row or interface named `name`) holds each `(key, value)` of
/// `expected`: a missing key fails as surely as a wrong value. Keys not in `expected` are not
/// looked at. One table per interface reads like the capture it was taken from.
pub(crate) fn assert_counters(
    name: &str,
    counters: &BTreeMap<String, u64>,
    expected: &[(&str, u64)],
) {
    for &(key, value) in expected {
        assert_eq!(
            counters.get(key),
            Some(&value),
            "{name}: counter {key} in {counters:?}"
        );
    }
}

/// For a parser that is a fold over lines (`line` fed each numbered line of a state that starts
/// as `S::default()`, then `finish` given the text read): `parse(&text[..j])` at a line boundary
/// is the state after the lines before `j`, finished. Every line boundary of every fixture is
/// checked that way (linear, not quadratic), every 25th against `parse` itself; starts of slices
/// (`&text[j..]`) and char boundaries are sampled, for panics only.
pub(crate) fn fold_matches_parse<S, T>(
    fixtures: &[(String, String)],
    line: impl Fn(&mut S, usize, &str),
    finish: impl Fn(S, &str) -> Parsed<T>,
    parse: impl Fn(&str) -> Parsed<T>,
) where
    S: Clone + Default,
    T: PartialEq + Debug,
{
    for text in fixtures.iter().map(|(_, t)| t.as_str()) {
        let mut st = S::default();
        let mut boundary = 0usize;
        for (k, (no, raw)) in crate::text::numbered_lines(text).enumerate() {
            boundary += text[boundary..]
                .find('\n')
                .map_or(text.len() - boundary, |i| i + 1);
            line(&mut st, no, raw);
            let got = finish(st.clone(), &text[..boundary]);
            if k % 25 == 0 {
                assert_eq!(got, parse(&text[..boundary]), "boundary {boundary}");
                let _ = parse(&text[boundary..]);
            }
        }
        for j in (0..text.len()).step_by(text.len() / 8 + 1) {
            if text.is_char_boundary(j) {
                let _ = parse(&text[..j]);
                let _ = parse(&text[j..]);
            }
        }
    }
}

/// The promise every line parser with a list value keeps at its edges: empty text and
/// `blank` (whitespace lines) give an empty list and no problem; a line of prose
/// (`hello world`) gives an empty list, a warning for the line and, second, an error that
/// nothing was found.
pub(crate) fn assert_blank_is_clean_and_prose_is_an_error<T: PartialEq + Debug>(
    parse: impl Fn(&str) -> Parsed<Vec<T>>,
    blank: &str,
) {
    assert_eq!(parse(""), Parsed::clean(Vec::new()));
    assert_eq!(parse(blank), Parsed::clean(Vec::new()));
    let g = parse("hello world\n");
    assert!(g.value.is_empty());
    assert_eq!(g.problems.len(), 2);
    assert_eq!(g.problems[1].severity, crate::Severity::Error);
}
