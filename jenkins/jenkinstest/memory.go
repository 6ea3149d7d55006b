package jenkinstest

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// MemoryURL is the origin of a fake started with StartInMemory: a loopback
// address, so the client treats it as it treats a local Jenkins (no proxy,
// no clear-text caution), though no socket is ever opened.
const MemoryURL = "http://127.0.0.1:8080"

// StartInMemory serves over in-memory connections (net.Pipe) until Close:
// for tests inside a testing/synctest bubble, whose virtual clock moves only
// when every goroutine in it is durably blocked, which a goroutine reading a
// socket never is. Clients connect through Dial. Start it inside the bubble.
func (s *Server) StartInMemory() {
	s.mem = &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	s.memSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.memSrv.Serve(s.mem) }()
}

// Dial connects to a fake started with StartInMemory, whatever the address:
// the DialContext of a client's transport.
func (s *Server) Dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case s.mem.conns <- server:
		return client, nil
	case <-s.mem.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pipeListener hands out the server ends of in-memory connections.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }

// InMemory reports a fake started with StartInMemory.
func (s *Server) InMemory() bool { return s.mem != nil }
