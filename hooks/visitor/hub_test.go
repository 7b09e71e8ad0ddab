package visitor

import "testing"

// A stream that stops reading is dropped when its buffer is full: publishing (a record
// hook) never waits for it, and the others still get every change.
func TestHubDropsASlowStreamWithoutBlocking(t *testing.T) {
	h := newHub()
	slow, fast := h.listen("c1"), h.listen("c1")
	other := h.listen("c2")
	for i := range streamBuffer + 1 {
		h.publish("c1", change{status: "open"})
		select {
		case <-fast.ch:
		default:
			t.Fatalf("change %d did not reach the stream that reads", i)
		}
	}
	select {
	case <-slow.gone:
	default:
		t.Fatal("the stream that stopped reading was not dropped")
	}
	select {
	case <-fast.gone:
		t.Fatal("the stream that reads was dropped")
	case <-other.gone:
		t.Fatal("another conversation's stream was dropped")
	default:
	}
	h.leave("c1", slow) // the handler's deferred leave after a drop is harmless
	h.leave("c1", fast)
	if h.listening("c1") || !h.listening("c2") {
		t.Fatalf("listening: c1 %v c2 %v", h.listening("c1"), h.listening("c2"))
	}
}

// A conversation holds at most streamsPerConversation streams: another ends the oldest.
func TestHubEndsTheOldestStreamBeyondTheLimit(t *testing.T) {
	h := newHub()
	var ls []*listener
	for range streamsPerConversation + 1 {
		ls = append(ls, h.listen("c"))
	}
	select {
	case <-ls[0].gone:
	default:
		t.Fatal("the oldest stream goes on")
	}
	for _, l := range ls[1:] {
		select {
		case <-l.gone:
			t.Fatal("a newer stream was ended")
		default:
		}
	}
}
