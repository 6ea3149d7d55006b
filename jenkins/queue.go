package jenkins

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// ErrGone reports a queue item Jenkins no longer knows: it left the queue more
// than 5 minutes ago, or Jenkins restarted.
var ErrGone = errors.New("queue item gone")

// QueueItem is what GET queue/item/N/api/json says.
type QueueItem struct {
	Class        string `json:"_class"`
	ID           int64  `json:"id"`
	Why          string `json:"why"`
	Blocked      bool   `json:"blocked"`
	Buildable    bool   `json:"buildable"`
	Stuck        bool   `json:"stuck"`
	Cancelled    bool   `json:"cancelled"`
	InQueueSince int64  `json:"inQueueSince"`
	Executable   *struct {
		Number int    `json:"number"`
		URL    string `json:"url"`
	} `json:"executable"`
}

// Left reports whether the item has left the queue (LeftItem).
func (q *QueueItem) Left() bool { return strings.HasSuffix(q.Class, "$LeftItem") }

// QueueItem reads a queue item. A 404 gives ErrGone.
// Jenkins: GET queue/item/N/api/json -> WaitingItem, BuildableItem, BlockedItem or LeftItem.
func (c *Client) QueueItem(ctx context.Context, id int64) (*QueueItem, error) {
	u := resolve(c.base, "queue/item/"+strconv.FormatInt(id, 10)+"/api/json")
	u.RawQuery = "tree=id,why,blocked,buildable,stuck,cancelled,inQueueSince,executable[number,url]"
	var q QueueItem
	status, err := c.getJSON(ctx, u, "reading queue item "+strconv.FormatInt(id, 10), &q)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, ErrGone
	}
	return &q, nil
}
