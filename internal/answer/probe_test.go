package answer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"frontdesk/internal/guard"
	"frontdesk/internal/knowledge"
)

func TestProbe(t *testing.T) {
	path := os.Getenv("PROBE")
	if path == "" {
		t.Skip()
	}
	ix, err := knowledge.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ps := map[string]practice{}
	for _, p := range loadPractices(t, ix) {
		ps[p.name] = p
	}
	e := &Engine{Search: ix}
	f, _ := os.Open(path)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, q, ok := strings.Cut(sc.Text(), "|")
		if !ok {
			continue
		}
		p := ps[name]
		r, _ := e.Reply(context.Background(), Request{Business: name, Message: q, Now: defaultNow(p.loc), Profile: p.profile})
		top := ""
		for i, h := range r.Hits {
			if i < 3 {
				top += fmt.Sprintf(" %s:%.2f/q%.2f", h.ID, h.Score, h.QuestionMatch)
			}
		}
		sp := guard.SplitHealth(q)
		ans := strings.ReplaceAll(r.Answer, "\n", " ")
		if len(ans) > 160 {
			ans = ans[:160]
		}
		fmt.Printf("%s | %s\n   health=%v practical=%q src=%v\n   -> %s\n   hits:%s\n", name, q, sp.Health, sp.Practical, r.Sources, ans, top)
	}
}
