// The grpc-go server of the interop suite (test/interop/*.interop.ts): the service of
// test/interop/proto/interop/v1/interop.proto on grpc-go as Debian ships it, built by
// test/interop/setup.sh. Listens on 127.0.0.1 at -port (0: any free port) and prints
// "listening <host:port>" once it accepts connections; exits when its stdin closes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // decodes gzip requests
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "interopserver/interop/v1"
)

var (
	port       = flag.Int("port", 0, "port on 127.0.0.1 (0: any free one)")
	gzipReply  = flag.Bool("gzip", false, "compress every reply with gzip")
	maxStreams = flag.Uint("max-streams", 0, "MAX_CONCURRENT_STREAMS per connection (0: grpc-go's default)")
	pingMin    = flag.Duration("keepalive-min-time", 0, "the shortest ping interval allowed before GOAWAY too_many_pings (0: grpc-go's default, 5m)")
)

// A call that tests look up by id: how it ended, and a way to let it go on.
type record struct {
	started   chan struct{}
	began     sync.Once
	done      chan struct{}
	release   chan struct{}
	ended     sync.Once
	released  sync.Once
	cancelled bool
	reason    string
}

// generation is the service as one grpc.Server serves it: the state is shared, Echo says which server answered.
type generation struct {
	*service
	generation int32
}

type service struct {
	mu      sync.Mutex
	records map[string]*record
	// Barrier: calls arrived, calls in flight, the most at once, and a channel closed on each arrival.
	arrivals    int
	inFlight    int
	maxInFlight int
	arrived     chan struct{}
}

func (s *service) record(id string) *record {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[id]
	if !ok {
		r = &record{started: make(chan struct{}), done: make(chan struct{}), release: make(chan struct{})}
		s.records[id] = r
	}
	return r
}

// start records that the call under id reached the server.
func (s *service) start(id string) {
	if id == "" {
		return
	}
	r := s.record(id)
	r.began.Do(func() { close(r.started) })
}

// end records how the call under id ended, once.
func (s *service) end(id string, err error) {
	if id == "" {
		return
	}
	r := s.record(id)
	r.ended.Do(func() {
		if err != nil {
			r.cancelled = true
			r.reason = err.Error()
		}
		close(r.done)
	})
}

// echoed turns request metadata x-* into hdr-* (headers) and trl-* (trailers).
func echoed(ctx context.Context) (metadata.MD, metadata.MD) {
	header, trailer := metadata.MD{}, metadata.MD{}
	md, _ := metadata.FromIncomingContext(ctx)
	for k, vs := range md {
		if strings.HasPrefix(k, "x-") {
			header.Append("hdr-"+k, vs...)
			trailer.Append("trl-"+k, vs...)
		}
	}
	return header, trailer
}

func deadlineMs(ctx context.Context) int64 {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d).Milliseconds()
	}
	return -1
}

func (s *generation) Echo(ctx context.Context, req *pb.EchoRequest) (*pb.EchoReply, error) {
	header, trailer := echoed(ctx)
	if err := grpc.SetHeader(ctx, header); err != nil {
		return nil, err
	}
	if err := grpc.SetTrailer(ctx, trailer); err != nil {
		return nil, err
	}
	reply := &pb.EchoReply{Text: req.Text, DeadlineMs: deadlineMs(ctx), Generation: s.generation}
	if req.ReplyBytes > 0 {
		reply.Filler = []byte(strings.Repeat("a", int(req.ReplyBytes)))
	}
	return reply, nil
}

func (s *service) Fail(ctx context.Context, req *pb.FailRequest) (*pb.EchoReply, error) {
	_ = grpc.SetHeader(ctx, metadata.Pairs("hdr-fail", "yes"))
	_ = grpc.SetTrailer(ctx, metadata.Pairs("trl-fail", "yes"))
	st := status.New(codes.Code(req.Code), req.Message)
	if req.Reason != "" {
		withDetails, err := st.WithDetails(&errdetails.ErrorInfo{Reason: req.Reason, Domain: "interop.test"})
		if err != nil {
			return nil, err
		}
		st = withDetails
	}
	return nil, st.Err()
}

func (s *service) ServerStream(req *pb.StreamRequest, stream pb.Interop_ServerStreamServer) error {
	ctx := stream.Context()
	s.start(req.HoldId)
	header, trailer := echoed(ctx)
	if err := stream.SetHeader(header); err != nil {
		return err
	}
	stream.SetTrailer(trailer)
	for i := int32(0); i < req.Count; i++ {
		if i > 0 && req.DelayMs > 0 {
			select {
			case <-time.After(time.Duration(req.DelayMs) * time.Millisecond):
			case <-ctx.Done():
				s.end(req.HoldId, ctx.Err())
				return ctx.Err()
			}
		}
		if err := stream.Send(&pb.EchoReply{Text: req.Text, Count: i}); err != nil {
			s.end(req.HoldId, err)
			return err
		}
		if i == 0 && req.HoldId != "" {
			select {
			case <-s.record(req.HoldId).release:
			case <-ctx.Done():
				s.end(req.HoldId, ctx.Err())
				return ctx.Err()
			}
		}
	}
	s.end(req.HoldId, nil)
	return nil
}

func (s *service) ClientStream(stream pb.Interop_ClientStreamServer) error {
	var texts []string
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		texts = append(texts, req.Text)
	}
	return stream.SendAndClose(&pb.EchoReply{Text: strings.Join(texts, "+"), Count: int32(len(texts))})
}

func (s *service) Bidi(stream pb.Interop_BidiServer) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&pb.EchoReply{Text: "re " + req.Text}); err != nil {
			return err
		}
	}
}

func (s *service) Slow(ctx context.Context, req *pb.HoldRequest) (*pb.EchoReply, error) {
	s.start(req.Id)
	<-ctx.Done()
	s.end(req.Id, ctx.Err())
	return nil, status.FromContextError(ctx.Err()).Err()
}

func (s *service) Started(ctx context.Context, req *pb.HoldRequest) (*pb.EchoReply, error) {
	select {
	case <-s.record(req.Id).started:
		return &pb.EchoReply{}, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

func (s *service) Observed(ctx context.Context, req *pb.HoldRequest) (*pb.ObservedReply, error) {
	r := s.record(req.Id)
	select {
	case <-r.done:
		return &pb.ObservedReply{Cancelled: r.cancelled, Reason: r.reason}, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

func (s *service) Release(ctx context.Context, req *pb.HoldRequest) (*pb.EchoReply, error) {
	r := s.record(req.Id)
	r.released.Do(func() { close(r.release) })
	return &pb.EchoReply{}, nil
}

func (s *service) Barrier(ctx context.Context, req *pb.BarrierRequest) (*pb.BarrierReply, error) {
	want := int(req.Want)
	if want < 1 {
		want = 1
	}
	s.mu.Lock()
	index := s.arrivals
	s.arrivals++
	s.inFlight++
	if s.inFlight > s.maxInFlight {
		s.maxInFlight = s.inFlight
	}
	close(s.arrived)
	s.arrived = make(chan struct{})
	target := (index/want + 1) * want
	for s.arrivals < target {
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		s.mu.Lock()
	}
	s.inFlight--
	reply := &pb.BarrierReply{MaxInFlight: int32(s.maxInFlight)}
	s.mu.Unlock()
	return reply, nil
}

func (s *service) GoAway(ctx context.Context, req *pb.EchoRequest) (*pb.EchoReply, error) {
	go replace()
	return &pb.EchoReply{Text: req.Text}, nil
}

// handoff is the listener one grpc.Server serves: the real listener's connections are handed
// to the current one, so a server stopped gracefully lets go of no port.
type handoff struct {
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
	addr   net.Addr
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, errors.New("listener closed")
	}
}

func (h *handoff) Close() error {
	h.closed.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) Addr() net.Addr { return h.addr }

var (
	svc     = &service{records: map[string]*record{}, arrived: make(chan struct{})}
	mu      sync.Mutex
	served  int32
	server  *grpc.Server
	current *handoff
	addr    net.Addr
)

func newServer() *grpc.Server {
	var opts []grpc.ServerOption
	if *gzipReply {
		opts = append(opts, grpc.RPCCompressor(grpc.NewGZIPCompressor()))
	}
	if *maxStreams > 0 {
		opts = append(opts, grpc.MaxConcurrentStreams(uint32(*maxStreams)))
	}
	if *pingMin > 0 {
		opts = append(opts, grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: *pingMin}))
	}
	s := grpc.NewServer(opts...)
	served++
	pb.RegisterInteropServer(s, &generation{service: svc, generation: served})
	return s
}

// serve starts a new server on a new handoff and makes it the current one; returns the old one.
func serve() *grpc.Server {
	mu.Lock()
	defer mu.Unlock()
	old := server
	server = newServer()
	current = &handoff{conns: make(chan net.Conn), done: make(chan struct{}), addr: addr}
	go func(s *grpc.Server, h *handoff) {
		if err := s.Serve(h); err != nil {
			log.Printf("serve: %v", err)
		}
	}(server, current)
	return old
}

// replace puts a new server in place and stops the old one gracefully: GOAWAY to its
// connections, their calls finish, new connections reach the new server.
func replace() {
	if old := serve(); old != nil {
		old.GracefulStop()
	}
}

func main() {
	flag.Parse()
	// The test that started it holds stdin open: when that process goes, so does this one.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	lis, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	addr = lis.Addr()
	serve()
	fmt.Fprintf(os.Stdout, "listening %s\n", addr)
	for {
		c, err := lis.Accept()
		if err != nil {
			log.Fatal(err)
		}
		for delivered := false; !delivered; {
			mu.Lock()
			h := current
			mu.Unlock()
			select {
			case h.conns <- c:
				delivered = true
			case <-h.done:
			}
		}
	}
}
