//! Documents attached to a case: what kind of paper it is, what the bytes really are, and a file name safe
//! to hand back in a download.

use crate::domain::Code;

code_enum! {
    /// What the document is.
    #[schema(example = "residence_permit")]
    DocumentKind {
        ResidencePermit = "residence_permit",
        PermitReceipt = "permit_receipt",
        IdentityDocument = "identity_document",
        Passport = "passport",
        Certificate = "certificate",
        Consent = "consent",
        Plan = "plan",
        Payslip = "payslip",
        Contract = "contract",
        Medical = "medical",
        School = "school",
        Other = "other",
    }
}

code_enum! {
    /// A file format recognised from the bytes themselves, never from the name or the declared type.
    #[schema(example = "pdf")]
    FileFormat {
        Pdf = "pdf",
        Png = "png",
        Jpeg = "jpeg",
        Tiff = "tiff",
        Webp = "webp",
    }
}

impl FileFormat {
    /// The formats accepted unless `SPORTELLO_DOCUMENT_TYPES` says otherwise.
    pub const DEFAULT_ALLOWED: [FileFormat; 3] = [FileFormat::Pdf, FileFormat::Png, FileFormat::Jpeg];

    /// Recognises the format from the file's first bytes (its "magic number").
    pub fn sniff(bytes: &[u8]) -> Option<FileFormat> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(b"%PDF-") {
            Some(FileFormat::Pdf)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(FileFormat::Png)
        } else if starts(b"\xFF\xD8\xFF") {
            Some(FileFormat::Jpeg)
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            Some(FileFormat::Tiff)
        } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(FileFormat::Webp)
        } else {
            None
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Png => "image/png",
            FileFormat::Jpeg => "image/jpeg",
            FileFormat::Tiff => "image/tiff",
            FileFormat::Webp => "image/webp",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<FileFormat> {
        FileFormat::ALL.iter().copied().find(|f| f.media_type() == media_type)
    }

    fn extension(self) -> &'static str {
        match self {
            FileFormat::Pdf => "pdf",
            FileFormat::Png => "png",
            FileFormat::Jpeg => "jpg",
            FileFormat::Tiff => "tif",
            FileFormat::Webp => "webp",
        }
    }
}

/// The longest file name kept, in characters.
pub const FILE_NAME_MAX: usize = 120;

/// A file name safe to store and to send back in `Content-Disposition`: no directories, no control or
/// quoting characters, at most [`FILE_NAME_MAX`] characters, and the extension of what the bytes really
/// are (`permesso.exe` holding a PDF comes back as `permesso.exe.pdf`).
pub fn file_name(uploaded: Option<&str>, format: FileFormat) -> String {
    let base = uploaded
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').trim();
    let base = if base.is_empty() { "document" } else { base };
    let ext = format.extension();
    let has_ext = base.rsplit_once('.').is_some_and(|(_, e)| {
        e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
    });
    let suffix = if has_ext { String::new() } else { format!(".{ext}") };
    let room = FILE_NAME_MAX - suffix.chars().count();
    let mut name: String = base.chars().take(room).collect();
    name.push_str(&suffix);
    name
}

/// `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187).
pub fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_from_the_bytes() {
        assert_eq!(FileFormat::sniff(b"%PDF-1.7\n..."), Some(FileFormat::Pdf));
        assert_eq!(FileFormat::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileFormat::Png));
        assert_eq!(FileFormat::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(FileFormat::Jpeg));
        assert_eq!(FileFormat::sniff(b"II*\0\x08\0\0\0"), Some(FileFormat::Tiff));
        assert_eq!(FileFormat::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(FileFormat::Webp));
    }

    #[test]
    fn executables_scripts_and_fragments_are_not_documents() {
        assert_eq!(FileFormat::sniff(b"MZ\x90\0\x03\0\0\0"), None); // a Windows executable
        assert_eq!(FileFormat::sniff(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(FileFormat::sniff(b"#!/bin/sh\n"), None);
        assert_eq!(FileFormat::sniff(b"<html><script>"), None);
        assert_eq!(FileFormat::sniff(b"%PD"), None);
        assert_eq!(FileFormat::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(FileFormat::sniff(b""), None);
    }

    #[test]
    fn media_types_round_trip() {
        for f in FileFormat::ALL {
            assert_eq!(FileFormat::from_media_type(f.media_type()), Some(*f));
        }
        assert_eq!(FileFormat::from_media_type("application/x-msdownload"), None);
    }

    #[test]
    fn file_names_lose_paths_and_get_the_real_extension() {
        assert_eq!(file_name(Some("permesso.pdf"), FileFormat::Pdf), "permesso.pdf");
        assert_eq!(file_name(Some("C:\\Users\\x\\scan.JPEG"), FileFormat::Jpeg), "scan.JPEG");
        assert_eq!(file_name(Some("../../etc/passwd"), FileFormat::Pdf), "passwd.pdf");
        assert_eq!(file_name(Some("setup.exe"), FileFormat::Png), "setup.exe.png");
        assert_eq!(file_name(Some(".hidden"), FileFormat::Pdf), "hidden.pdf");
        assert_eq!(file_name(Some("a\"b;\r\nc.pdf"), FileFormat::Pdf), "abc.pdf");
        assert_eq!(file_name(None, FileFormat::Jpeg), "document.jpg");
        assert_eq!(file_name(Some("   "), FileFormat::Pdf), "document.pdf");
        let long = file_name(Some(&"é".repeat(500)), FileFormat::Pdf);
        assert_eq!(long.chars().count(), FILE_NAME_MAX);
        assert!(long.ends_with(".pdf"));
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_the_utf8_name() {
        assert_eq!(
            content_disposition("permesso di soggiorno.pdf"),
            "attachment; filename=\"permesso di soggiorno.pdf\"; filename*=UTF-8''permesso%20di%20soggiorno.pdf"
        );
        assert_eq!(
            content_disposition("تصريح.pdf"),
            "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D8%AA%D8%B5%D8%B1%D9%8A%D8%AD.pdf"
        );
    }
}
