package knowledge

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// UploadHead is how much of a file CheckUpload reads: enough for every format's
// signature and a fair sample of a text file.
const UploadHead = 4 << 10

// readable are the file name extensions an upload may have, by the format Extract
// reads them as.
var readable = map[string]string{
	".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
	".csv": "text", ".html": "text", ".htm": "text", ".xhtml": "text",
	".pdf": "pdf", ".docx": "docx",
}

// unreadable says, in an owner's words, what a file of a common kind Frontdesk can't
// read is, and what to do with it.
var unreadable = map[string]string{
	".doc":     "an older Word document (.doc): open it in Word and save it as .docx or PDF",
	".odt":     "an OpenDocument text: save it as .docx or PDF",
	".rtf":     "a Rich Text file: save it as .docx, PDF or plain text",
	".pages":   "a Pages document: export it as Word (.docx) or PDF",
	".xls":     "a spreadsheet: save the sheet as CSV",
	".xlsx":    "a spreadsheet: save the sheet as CSV",
	".ods":     "a spreadsheet: save the sheet as CSV",
	".numbers": "a spreadsheet: export the sheet as CSV",
	".ppt":     "a presentation: save it as PDF",
	".pptx":    "a presentation: save it as PDF",
	".key":     "a presentation: export it as PDF",
	".jpg":     "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".jpeg":    "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".png":     "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".gif":     "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".heic":    "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".webp":    "a picture: Frontdesk reads words, not pictures; upload the text, or a PDF with selectable text",
	".zip":     "a zip archive: upload the files inside it one by one",
}

// kinds is what to call a format in a message.
var kinds = map[string]string{"text": "a text file", "pdf": "a PDF", "docx": "a Word (.docx) file"}

// CheckUpload says whether Frontdesk can read an uploaded file, from its name and the
// first UploadHead bytes: the name's extension says which format it should be (a
// Markdown file with commas in it is Markdown, whatever a content sniffer calls it), the
// content that it is. A refusal says why in words an owner understands, and what to do.
func CheckUpload(name string, head []byte) error {
	ext := strings.ToLower(filepath.Ext(name))
	kind, ok := readable[ext]
	if !ok {
		what := unreadable[ext]
		if what == "" {
			what = "not a kind of file Frontdesk can read"
		}
		return fmt.Errorf("%q is %s. Frontdesk reads text, Markdown, CSV, HTML, PDF and Word (.docx) files", name, what)
	}
	var fits bool
	switch kind {
	case "pdf":
		fits = bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-"))
	case "docx":
		fits = bytes.HasPrefix(head, []byte("PK\x03\x04"))
	default:
		fits = looksLikeText(head)
	}
	if !fits {
		return fmt.Errorf("%q is named like %s but isn't one inside: it may be damaged, or another kind of file renamed. Open it and save it again as %s, then upload it", name, kinds[kind], kinds[kind])
	}
	return nil
}

// looksLikeText reports whether head is text: UTF-16 with its byte-order mark, or bytes
// without the NULs and control characters of a binary file (Windows-1252 and a UTF-8
// sequence cut at the end of head are text too).
func looksLikeText(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return true
	}
	controls := 0
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		head = head[size:]
		switch {
		case r == 0:
			return false
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f':
			controls++
		}
	}
	return controls <= 8
}
