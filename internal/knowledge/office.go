package knowledge

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrDOCX is a Word file that could not be read (damaged, or not a .docx).
var ErrDOCX = errors.New("could not read the Word file; save it again as .docx, or as PDF")

// maxDOCXText bounds what document.xml may expand to: a .docx is a zip, and a small
// one can inflate to gigabytes.
const maxDOCXText = 50 << 20

// extractDOCX returns the text of a Word (.docx) file, a paragraph a line, headings
// ("Heading1".."Heading6" styles, and "Title") as "# " lines so ChunkText keeps
// passages under them. The format is a zip holding word/document.xml, which the
// standard library reads well enough that no Office library is needed.
func extractDOCX(data []byte) (title, text string, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", "", ErrDOCX
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", "", ErrDOCX
	}
	rc, err := doc.Open()
	if err != nil {
		return "", "", ErrDOCX
	}
	defer func() { _ = rc.Close() }()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDOCXText))
	var out, para strings.Builder
	heading := 0
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", "", ErrDOCX
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				para.Reset()
				heading = 0
			case "pStyle":
				heading = wordHeading(attrLocal(t, "val"))
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				line := strings.TrimSpace(para.String())
				if line == "" {
					continue
				}
				if heading > 0 {
					if title == "" && heading == 1 {
						title = line
					}
					out.WriteString(strings.Repeat("#", heading) + " ")
				}
				out.WriteString(line)
				out.WriteString("\n\n")
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return title, out.String(), nil
}

// wordHeading reads Word's built-in heading styles: "Title" and "Heading1".."Heading6".
func wordHeading(style string) int {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	if s == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(s, "heading"); ok && len(rest) == 1 && rest[0] >= '1' && rest[0] <= '6' {
		return int(rest[0] - '0')
	}
	return 0
}

func attrLocal(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// csvText turns a spreadsheet export (a price list, a list of plans) into lines a
// visitor's question can match: with a header row, each row reads "Header: value; ...",
// so "Crown: $1,200" keeps its label; without one, cells are joined by commas. Text
// that doesn't parse as CSV is kept as it is: it was plain text after all.
func csvText(text string) string {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return text
	}
	header := rows[0]
	var b strings.Builder
	for _, row := range rows[1:] {
		var cells []string
		for i, v := range row {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if i < len(header) && strings.TrimSpace(header[i]) != "" {
				v = strings.TrimSpace(header[i]) + ": " + v
			}
			cells = append(cells, v)
		}
		if len(cells) > 0 {
			fmt.Fprintln(&b, strings.Join(cells, "; "))
		}
	}
	return b.String()
}
