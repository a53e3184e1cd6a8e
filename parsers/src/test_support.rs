//! Test support shared by the parser modules: fixtures from `testdata/parsers/<dir>/` and the
//! never-panics drive over every prefix of the fixtures and over pseudo-random text.

/// `fixture!("netstat_iface", "file.txt")`: the text of `testdata/parsers/<dir>/<file>`.
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

/// Calls `parse` on every prefix (at a char boundary) of every text.
pub(crate) fn every_prefix(texts: &[&str], mut parse: impl FnMut(&str)) {
    for text in texts {
        for end in 0..=text.len() {
            if text.is_char_boundary(end) {
                parse(&text[..end]);
            }
        }
    }
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
