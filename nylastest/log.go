package nylastest

// requestLog keeps the most recent requests, within a count and a total of
// body and header bytes, dropping the oldest first. It is a queue over one slice whose
// dropped head is reclaimed once it is half the slice, so adding costs O(1)
// amortised and the slice never holds more than twice the requests kept.
type requestLog struct {
	max      int // most requests kept; 0 keeps none
	maxBytes int // most body and header bytes kept
	items    []Request
	head     int // items[head:] are kept
	bytes    int
}

func (l *requestLog) add(r Request) {
	if l.max == 0 {
		return
	}
	size := requestSize(r)
	for l.len() > 0 && (l.len() >= l.max || l.bytes+size > l.maxBytes) {
		l.bytes -= requestSize(l.items[l.head])
		l.items[l.head] = Request{} // let the body go
		l.head++
	}
	if l.head > 0 && l.head >= len(l.items)/2 {
		n := copy(l.items, l.items[l.head:])
		clear(l.items[n:])
		l.items, l.head = l.items[:n], 0
	}
	l.items = append(l.items, r)
	l.bytes += size
}

// requestSize is what a logged request holds: its body and its header's
// names and values.
func requestSize(r Request) int {
	n := len(r.Body)
	for k, vs := range r.Header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

func (l *requestLog) len() int { return len(l.items) - l.head }

func (l *requestLog) all() []Request {
	return append([]Request(nil), l.items[l.head:]...)
}
