package stampede

// subTable holds a connection's subscriptions by id. Most connections have
// one or a few: a short slice, scanned, costs far less memory than a map;
// past subListMax it becomes a map. Guarded by Conn.subMu.
type subTable struct {
	list []*Subscription
	byID map[string]*Subscription
}

const subListMax = 8

func (t *subTable) get(id string) *Subscription {
	if t.byID != nil {
		return t.byID[id]
	}
	for _, s := range t.list {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (t *subTable) put(s *Subscription) {
	if t.byID == nil && len(t.list) < subListMax {
		t.list = append(t.list, s)
		return
	}
	if t.byID == nil {
		t.byID = make(map[string]*Subscription, 2*subListMax)
		for _, old := range t.list {
			t.byID[old.id] = old
		}
		t.list = nil
	}
	t.byID[s.id] = s
}

func (t *subTable) del(id string) {
	if t.byID != nil {
		delete(t.byID, id)
		return
	}
	for i, s := range t.list {
		if s.id == id {
			t.list = append(t.list[:i], t.list[i+1:]...)
			t.list[len(t.list):cap(t.list)][0] = nil
			return
		}
	}
}

// each calls fn for every subscription until it returns false.
func (t *subTable) each(fn func(*Subscription) bool) {
	if t.byID != nil {
		for _, s := range t.byID {
			if !fn(s) {
				return
			}
		}
		return
	}
	for _, s := range t.list {
		if !fn(s) {
			return
		}
	}
}

func (t *subTable) len() int { return len(t.list) + len(t.byID) }
