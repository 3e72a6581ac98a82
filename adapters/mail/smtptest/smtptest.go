// Package smtptest runs an in-process SMTP server that keeps every message it
// receives, for tests of code that sends mail.
package smtptest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one received mail.
type Message struct {
	// From and To are the envelope sender and recipients (MAIL FROM, RCPT TO).
	From string
	To   []string
	// User is the name the client authenticated with, empty without AUTH.
	User    string
	Subject string
	// Text is the decoded text/plain body, with "\n" line breaks. A body always
	// ends with a line break on the wire, so one may have been added to the text sent.
	Text string
	// Header is the header of the message as received.
	Header mail.Header
}

// Server is a running test SMTP server on 127.0.0.1. It accepts AUTH PLAIN with
// any credentials and advertises no STARTTLS.
type Server struct {
	smtp *smtp.Server
	addr *net.TCPAddr

	mu       sync.Mutex
	messages []Message
	received chan struct{} // closed and replaced on every message
}

// Start runs a server on a free port, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("smtptest: listening on %s, not a TCP address", l.Addr())
	}
	s := &Server{addr: addr, received: make(chan struct{})}
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.smtp.Domain = "localhost"
	s.smtp.AllowInsecureAuth = true
	s.smtp.EnableSMTPUTF8 = true
	s.smtp.ReadTimeout = 10 * time.Second
	s.smtp.WriteTimeout = 10 * time.Second
	// Clients that hang up (a refused STARTTLS, say) are not worth printing.
	s.smtp.ErrorLog = log.New(io.Discard, "", 0)

	served := make(chan error, 1)
	go func() { served <- s.smtp.Serve(l) }()
	t.Cleanup(func() {
		if err := s.smtp.Close(); err != nil {
			t.Errorf("smtptest: close: %v", err)
		}
		// Close misses the listener when Serve has not registered it yet.
		_ = l.Close()
		if err := <-served; err != nil {
			t.Errorf("smtptest: serve: %v", err)
		}
	})
	return s
}

// Host is the address to connect to.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port is the port to connect to.
func (s *Server) Port() int { return s.addr.Port }

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitForMessage returns the first message to recipient to, waiting for it up
// to timeout; the test fails if none comes.
func (s *Server) WaitForMessage(t testing.TB, to string, timeout time.Duration) Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, m := range s.messages {
			for _, rcpt := range m.To {
				if strings.EqualFold(rcpt, to) {
					s.mu.Unlock()
					return m
				}
			}
		}
		received := s.received
		s.mu.Unlock()
		select {
		case <-received:
		case <-deadline.C:
			t.Fatalf("smtptest: no message to %s within %s (%d received)", to, timeout, len(s.Messages()))
			return Message{}
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.received)
	s.received = make(chan struct{})
}

// session collects one message transaction.
type session struct {
	server *Server
	user   string
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return fmt.Errorf("decode subject: %w", err)
	}
	text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return err
	}
	s.server.add(Message{From: s.from, To: s.to, User: s.user, Subject: subject, Text: text, Header: msg.Header})
	return nil
}

func (s *session) Reset() {
	s.from, s.to = "", nil
}

func (s *session) Logout() error { return nil }

// plainText finds the text/plain part of a body and decodes it.
func plainText(contentType, encoding string, body io.Reader) (string, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mediaType, err = "text/plain", nil
	}
	if err != nil {
		return "", fmt.Errorf("parse content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		parts := multipart.NewReader(body, params["boundary"])
		for {
			part, err := parts.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", errors.New("no text/plain part")
			}
			if err != nil {
				return "", fmt.Errorf("read part: %w", err)
			}
			text, err := plainText(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part)
			if err == nil {
				return text, nil
			}
		}
	}
	if mediaType != "text/plain" {
		return "", fmt.Errorf("not text/plain: %s", mediaType)
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", fmt.Errorf("decode body: %w", err)
	}
	if strings.EqualFold(encoding, "base64") {
		if b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), "")); err != nil {
			return "", fmt.Errorf("decode base64 body: %w", err)
		}
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
