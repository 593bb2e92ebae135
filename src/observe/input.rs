//! A log's bytes as they come: gzip peeled off whatever the log is (CSV
//! or XES, told apart only after), UTF-16 decoded to UTF-8, files that are
//! no log (a workbook, Parquet, a PDF) named, and every piece a parser
//! must hold at once (an XML tag, text or comment; a CSV row) bounded, so
//! that a small file that decompresses to gigabytes costs time, never
//! memory.

use super::LogError;
use std::io::{BufRead, BufReader, Read};

/// The bytes of a log, decompressed and in UTF-8, and what was done to
/// them (for the report).
pub(crate) struct Peeled<'r> {
    pub(crate) reader: Bounded<Box<dyn BufRead + 'r>>,
    /// What the reading did that the user should know, e.g. "the log is
    /// UTF-16 …"; said with the discovery's or the fit's summary.
    pub(crate) notes: Vec<String>,
}

/// The most bytes one piece may have (one XML event, one CSV row): far
/// above any real log's (a row of eight cells of the longest text a
/// journey may hold), far below what would exhaust memory.
pub(crate) fn piece_limit(text_bytes: usize) -> u64 {
    (text_bytes as u64).saturating_mul(16).max(16 << 20)
}

const GZIP: &[u8] = &[0x1f, 0x8b];

fn cannot(e: &std::io::Error, gz: bool, what: &str) -> LogError {
    let doing = if gz {
        format!("{what} is gzip-compressed, and the gzip stream does not read")
    } else {
        format!("cannot read {what}")
    };
    LogError::new(None, None, io_message(e, &doing))
}

/// Peel a log: gzip (told by its first bytes, whatever the file is
/// called) and UTF-16 (told by its byte-order mark, or by the zero bytes
/// of ASCII text in it); refuse what is no text log, naming it. `what`
/// the file is, for messages: "the log", "the case table".
pub(crate) fn peel<'r, R: Read + 'r>(
    reader: R,
    piece: u64,
    what: &str,
) -> Result<Peeled<'r>, LogError> {
    let mut outer = BufReader::with_capacity(1 << 16, reader);
    let gz = outer
        .fill_buf()
        .map_err(|e| cannot(&e, false, what))?
        .starts_with(GZIP);
    let mut notes = Vec::new();
    let mut inner: Box<dyn BufRead + 'r> = if gz {
        notes.push(format!("{what} is gzip-compressed: read decompressed"));
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(outer),
        ))
    } else {
        Box::new(outer)
    };
    let head = inner.fill_buf().map_err(|e| cannot(&e, gz, what))?;
    if let Some(kind) = not_a_text_log(head) {
        let within = if gz { " (inside the gzip stream)" } else { "" };
        return Err(LogError::new(
            None,
            None,
            format!("{what}{within} is {kind}, not CSV or XES text"),
        ));
    }
    if let Some((encoding, how)) = utf16(head) {
        notes.push(format!("{what} is UTF-16 ({how}): read as such"));
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(inner);
        inner = Box::new(BufReader::with_capacity(1 << 16, decoded));
    }
    Ok(Peeled {
        reader: Bounded::new(inner, piece),
        notes,
    })
}

/// What a file is when its first bytes say it is no text log.
fn not_a_text_log(head: &[u8]) -> Option<&'static str> {
    [
        (
            &b"PK\x03\x04"[..],
            "a ZIP archive (an Excel workbook? save the sheet as CSV UTF-8)",
        ),
        (
            b"PAR1",
            "a Parquet file (export it as CSV, or read it with DuckDB: docs/logs.md)",
        ),
        (b"%PDF", "a PDF document"),
        (
            b"\xd0\xcf\x11\xe0",
            "an old Office document (an .xls workbook? save the sheet as CSV UTF-8)",
        ),
        (b"SQLite format 3\0", "an SQLite database"),
        (
            b"BZh",
            "bzip2-compressed (decompress it, or gzip it: .gz logs are read)",
        ),
        (
            b"\xfd7zXZ\0",
            "xz-compressed (decompress it, or gzip it: .gz logs are read)",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed (decompress it, or gzip it: .gz logs are read)",
        ),
    ]
    .into_iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, what)| what)
}

/// UTF-16, and how it was told: a byte-order mark, or ASCII text with a
/// zero byte beside every character (a log's header is ASCII).
fn utf16(head: &[u8]) -> Option<(&'static encoding_rs::Encoding, &'static str)> {
    if head.starts_with(b"\xff\xfe") {
        return Some((
            encoding_rs::UTF_16LE,
            "little-endian, with a byte-order mark",
        ));
    }
    if head.starts_with(b"\xfe\xff") {
        return Some((encoding_rs::UTF_16BE, "big-endian, with a byte-order mark"));
    }
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(16).collect();
    if pairs.len() < 2 {
        return None;
    }
    let ascii = |b: u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    if pairs.iter().all(|p| ascii(p[0]) && p[1] == 0) {
        return Some((
            encoding_rs::UTF_16LE,
            "little-endian, without a byte-order mark",
        ));
    }
    if pairs.iter().all(|p| p[0] == 0 && ascii(p[1])) {
        return Some((
            encoding_rs::UTF_16BE,
            "big-endian, without a byte-order mark",
        ));
    }
    None
}

/// A piece of the log larger than the parser may hold.
#[derive(Debug)]
pub(crate) struct Oversize {
    limit: u64,
    what: &'static str,
}

impl std::fmt::Display for Oversize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of more than {} bytes: no real log has one (is the file a log? a gzip bomb?)",
            self.what, self.limit
        )
    }
}

impl std::error::Error for Oversize {}

/// A reader that refuses to hand on more than `limit` bytes between two
/// [`Bounded::mark`]s: the parser marks at the end of every piece (XML
/// event, CSV row), so no one piece can grow past the limit in its buffer.
pub(crate) struct Bounded<R> {
    inner: R,
    since: u64,
    limit: u64,
    what: &'static str,
}

impl<R> Bounded<R> {
    fn new(inner: R, limit: u64) -> Self {
        Bounded {
            inner,
            since: 0,
            limit,
            what: "a piece",
        }
    }
    /// Name what a piece is, for the message ("an XML element, text or
    /// comment", "a row").
    pub(crate) fn pieces(&mut self, what: &'static str) {
        self.what = what;
    }
    /// A piece ended here.
    pub(crate) fn mark(&mut self) {
        self.since = 0;
    }
    fn over(&self) -> std::io::Result<()> {
        if self.since > self.limit {
            return Err(std::io::Error::other(Oversize {
                limit: self.limit,
                what: self.what,
            }));
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.over()?;
        let n = self.inner.read(buf)?;
        self.since += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.over()?;
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.since += amt as u64;
        self.inner.consume(amt);
    }
}

/// The message of an I/O error met while parsing: an oversize piece's own,
/// else `what` and the error.
pub(crate) fn io_message(e: &std::io::Error, what: &str) -> String {
    match e.get_ref().and_then(|i| i.downcast_ref::<Oversize>()) {
        Some(o) => o.to_string(),
        None => format!("{what}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: impl Read) -> String {
        let mut s = String::new();
        let mut r = r;
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn gzip_and_utf16_are_peeled_whatever_the_log_is() {
        let csv = "case,activity\n1,Order\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, csv.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let p = peel(&gz[..], 1 << 20, "the log").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.notes, ["the log is gzip-compressed: read decompressed"]);
        assert_eq!(text(p.reader), csv);
        let mut le = vec![0xff, 0xfe];
        le.extend(csv.encode_utf16().flat_map(u16::to_le_bytes));
        let p = peel(&le[..], 1 << 20, "the log").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.notes[0].starts_with("the log is UTF-16 (little-endian, with"));
        assert_eq!(text(p.reader), csv);
        let be: Vec<u8> = csv.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let p = peel(&be[..], 1 << 20, "the log").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.notes[0].starts_with("the log is UTF-16 (big-endian, without"));
        assert_eq!(text(p.reader), csv);
    }

    #[test]
    fn a_piece_past_the_limit_is_an_error_not_a_buffer() {
        let p = peel(&[b'x'; 5000][..], 1000, "the log").unwrap_or_else(|e| panic!("{e}"));
        let mut r = p.reader;
        let mut buf = Vec::new();
        let e = r.read_to_end(&mut buf).unwrap_err();
        assert!(
            io_message(&e, "x").contains("of more than 1000 bytes"),
            "{e}"
        );
        assert!(buf.len() < 5000);
    }

    #[test]
    fn a_workbook_is_named() {
        let e = peel(&b"PK\x03\x04rest"[..], 1000, "the log").err().unwrap();
        assert!(e.message.contains("Excel workbook"), "{e}");
    }
}
