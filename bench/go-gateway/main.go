// Command go-gateway is the Go grpc-gateway baseline of `npm run bench`: a default
// runtime.NewServeMux() with the handlers protoc-gen-grpc-gateway generates from the
// bench proto, in front of the bench's gRPC backend. Built by bench/setup-go-gateway.sh.
//
// Once listening it prints {"port":N} on a line of its own, so the harness (or a person)
// learns the port it picked.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"

	benchpb "benchgw/bench/v1"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"google.golang.org/grpc"
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	defaultPort, err := strconv.Atoi(envOr("GO_GATEWAY_PORT", "0"))
	if err != nil {
		log.Fatalf("GO_GATEWAY_PORT: %v", err)
	}
	port := flag.Int("port", defaultPort, "port to listen on, on 127.0.0.1 (0: any free one; env GO_GATEWAY_PORT)")
	backend := flag.String("backend", os.Getenv("GO_GATEWAY_BACKEND"), "host:port of the gRPC backend (env GO_GATEWAY_BACKEND)")
	watchStdin := flag.Bool("exit-on-stdin-eof", false, "exit when stdin closes, so the server never outlives the process that started it")
	flag.Parse()
	if *backend == "" {
		log.Fatal("-backend host:port is required")
	}

	mux := runtime.NewServeMux()
	opts := []grpc.DialOption{grpc.WithInsecure()}
	if err := benchpb.RegisterBenchServiceHandlerFromEndpoint(context.Background(), mux, *backend, opts); err != nil {
		log.Fatalf("dialling %s: %v", *backend, err)
	}

	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	fmt.Printf("{\"port\":%d}\n", listener.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(listener, mux))
}
