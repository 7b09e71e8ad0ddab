package knowledge

import (
	"strings"
	"unicode"
)

// DefaultChunkChars is the chunk size ChunkText uses when given none: about a
// paragraph or two, small enough that the top passages fit a local model's context.
const DefaultChunkChars = 800

// FAQChunk makes the one chunk of an FAQ: the question is indexed (and boosted) on its
// own so a visitor's wording of the same question finds it.
func FAQChunk(id, question, answer string) Chunk {
	question, answer = strings.TrimSpace(question), strings.TrimSpace(answer)
	return Chunk{
		SourceID:    id,
		SourceKind:  KindFAQ,
		SourceTitle: question,
		Question:    question,
		Text:        answer,
	}
}

// ChunkText splits Markdown or plain text into chunks of at most about maxChars
// (DefaultChunkChars when maxChars <= 0). Every chunk stays under one heading and
// carries the heading path ("Fees > Cancellations") in Heading, so a passage read alone
// still says what it is about. Long sections are split at paragraph boundaries, then
// sentences, then words, and a chunk that continues a section starts with the last
// sentence of the previous one when that is short, so an answer cut in two keeps its
// context. No chunk is empty.
func ChunkText(title, text string, maxChars int) []Chunk {
	if maxChars <= 0 {
		maxChars = DefaultChunkChars
	}
	var chunks []Chunk
	var path []string // heading text by level; path[i] is the level i+1 heading
	var paras []string
	flush := func() {
		hp := path
		if len(hp) > 0 && strings.EqualFold(hp[0], title) {
			hp = hp[1:] // the document's own title heads every section: it says nothing
		}
		heading := strings.Join(nonEmpty(hp), " > ")
		for _, t := range packSection(paras, maxChars) {
			chunks = append(chunks, Chunk{SourceKind: KindDocument, SourceTitle: title, Heading: heading, Text: t})
		}
		paras = paras[:0]
	}
	var para []string
	endPara := func() {
		if p := strings.TrimSpace(strings.Join(para, "\n")); p != "" {
			paras = append(paras, p)
		}
		para = para[:0]
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, line := range strings.Split(text, "\n") {
		if level, h := headingLine(line); level > 0 {
			endPara()
			flush()
			if len(path) >= level {
				path = path[:level-1]
			}
			for len(path) < level-1 {
				path = append(path, "")
			}
			path = append(path, h)
			continue
		}
		if strings.TrimSpace(line) == "" {
			endPara()
			continue
		}
		para = append(para, strings.TrimRightFunc(line, unicode.IsSpace))
	}
	endPara()
	flush()
	return chunks
}

// headingLine recognises an ATX Markdown heading ("## Parking") and returns its level.
func headingLine(line string) (int, string) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return 0, "" // indented code, not a heading
	}
	level := 0
	for level < len(t) && t[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(t) && t[level] != ' ' && t[level] != '\t') {
		return 0, ""
	}
	h := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t[level:]), "#"))
	if h == "" {
		return 0, ""
	}
	return level, h
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// packSection joins a section's paragraphs into texts of at most maxChars.
func packSection(paras []string, maxChars int) []string {
	type unit struct {
		text string
		sep  string // joins it to the unit before: a paragraph break, or a space within a paragraph
	}
	var units []unit
	for _, p := range paras {
		for i, u := range splitUnit(p, maxChars) {
			sep := "\n\n"
			if i > 0 {
				sep = " "
			}
			units = append(units, unit{u, sep})
		}
	}
	var out []string
	var cur strings.Builder
	for _, u := range units {
		if cur.Len() > 0 && cur.Len()+len(u.sep)+len(u.text) > maxChars {
			out = append(out, cur.String())
			overlap := lastSentence(cur.String())
			cur.Reset()
			if overlap != "" && len(overlap) <= maxChars/5 && len(overlap)+1+len(u.text) <= maxChars {
				cur.WriteString(overlap)
				u.sep = " "
			}
		}
		if cur.Len() > 0 {
			cur.WriteString(u.sep)
		}
		cur.WriteString(u.text)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// splitUnit splits text longer than maxChars at lines, then sentences, then words.
func splitUnit(text string, maxChars int) []string {
	if len(text) <= maxChars {
		return []string{text}
	}
	for _, split := range []func(string) []string{splitLines, splitSentences, strings.Fields} {
		parts := split(text)
		if len(parts) < 2 {
			continue
		}
		var out []string
		var cur strings.Builder
		for _, p := range parts {
			if cur.Len() > 0 && cur.Len()+1+len(p) > maxChars {
				out = append(out, cur.String())
				cur.Reset()
			}
			if len(p) > maxChars {
				out = append(out, splitUnit(p, maxChars)...)
				continue
			}
			if cur.Len() > 0 {
				cur.WriteString(" ")
			}
			cur.WriteString(p)
		}
		if cur.Len() > 0 {
			out = append(out, cur.String())
		}
		return out
	}
	// One unbroken word longer than maxChars: cut it, on a rune boundary.
	var out []string
	for len(text) > maxChars {
		cut := maxChars
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		out = append(out, text[:cut])
		text = text[cut:]
	}
	return append(out, text)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func splitLines(text string) []string { return nonEmpty(strings.Split(text, "\n")) }

// splitSentences splits after ., ! or ? followed by a space: crude, but abbreviations
// cut in two only cost a slightly odd chunk boundary.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text)-1; i++ {
		if (text[i] == '.' || text[i] == '!' || text[i] == '?') && (text[i+1] == ' ' || text[i+1] == '\n') {
			if s := strings.TrimSpace(text[start : i+1]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func lastSentence(text string) string {
	ss := splitSentences(text)
	if len(ss) < 2 {
		return ""
	}
	return ss[len(ss)-1]
}
