package jenkinstest

import (
	"strconv"
	"strings"
)

// tree is a parsed ?tree= parameter of Jenkins' remote API: the fields to
// export, each with its own subtree, and for arrays an optional {from,to}
// range. Jenkins exports only the fields asked for (plus _class) and leaves
// out those that do not exist; a field asked for that is null stays null.
type tree struct {
	fields   map[string]*tree
	from, to int // the range of an array; to < 0: no limit
}

// parseTree reads "a,b[c,d]{0,20},e" (the caller has already unescaped it).
func parseTree(s string) *tree {
	t, _ := parseFields(s, 0)
	return t
}

func parseFields(s string, i int) (*tree, int) {
	t := &tree{fields: map[string]*tree{}, to: -1}
	for i < len(s) {
		j := i
		for j < len(s) && !strings.ContainsRune(",[]{}", rune(s[j])) {
			j++
		}
		name := strings.TrimSpace(s[i:j])
		var sub *tree
		if j < len(s) && s[j] == '[' {
			sub, j = parseFields(s, j+1)
			if j < len(s) && s[j] == ']' {
				j++
			}
		}
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				end = len(s) - j
			}
			if sub == nil {
				sub = &tree{to: -1}
			}
			lo, hi, _ := strings.Cut(s[j+1:j+end], ",")
			sub.from, _ = strconv.Atoi(lo)
			if n, err := strconv.Atoi(hi); err == nil {
				sub.to = n
			}
			j += end + 1
		}
		if name != "" {
			t.fields[name] = sub
		}
		if j < len(s) && s[j] == ']' {
			return t, j
		}
		i = j + 1
	}
	return t, i
}

// apply keeps what t asks for of v (maps, slices of maps, values).
func (t *tree) apply(v any) any {
	if t == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if len(t.fields) == 0 {
			return x
		}
		out := map[string]any{}
		if c, ok := x["_class"]; ok {
			out["_class"] = c
		}
		for name, sub := range t.fields {
			if val, ok := x[name]; ok {
				out[name] = sub.apply(val)
			}
		}
		return out
	case []map[string]any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return t.apply(s)
	case []any:
		lo, hi := min(t.from, len(x)), len(x)
		if t.to >= 0 {
			hi = min(t.to, len(x))
		}
		if lo > hi {
			lo = hi
		}
		out := make([]any, 0, hi-lo)
		for _, e := range x[lo:hi] {
			out = append(out, t.apply(e))
		}
		return out
	}
	return v
}
