// peer-gateway: the reference REST/JSON → gRPC gateway that tools/bench
// measures protogate against. It is grpc-gateway (as packaged by Debian)
// serving the demo services' google.api.http routes, configured to answer the
// way protogate does by default: lowerCamel JSON names, enum names, default
// values omitted, unknown JSON fields rejected.
//
// Built by tools/peer/build (GOPATH mode, outside protogate's CMake build);
// the generated packages under peergen/demo/... come from proto/demo.
//
// Usage:
//
//	peer-gateway --listen=127.0.0.1:8081 --users=127.0.0.1:50051 \
//	    --orders=127.0.0.1:50052 --catalog=127.0.0.1:50053
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"google.golang.org/grpc"

	catalogv1 "peergen/demo/catalog/v1"
	ordersv1 "peergen/demo/orders/v1"
	usersv1 "peergen/demo/users/v1"
)

type registerFunc func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error

type upstream struct {
	name     string
	address  *string
	register registerFunc
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "host:port to serve REST/JSON on")
	upstreams := []upstream{
		{"users", flag.String("users", "127.0.0.1:50051", "host:port of demo.users.v1.UserService"),
			usersv1.RegisterUserServiceHandler},
		{"orders", flag.String("orders", "127.0.0.1:50052", "host:port of demo.orders.v1.OrderService"),
			ordersv1.RegisterOrderServiceHandler},
		{"catalog", flag.String("catalog", "127.0.0.1:50053", "host:port of demo.catalog.v1.CatalogService"),
			catalogv1.RegisterCatalogServiceHandler},
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	mux := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard,
		&runtime.JSONPb{OrigName: false, EnumsAsInts: false, EmitDefaults: false}))
	for _, u := range upstreams {
		if *u.address == "" {
			continue // that service's routes answer 404
		}
		// One HTTP/2 connection per service, dialled lazily, as protogate does.
		conn, err := grpc.DialContext(ctx, *u.address, grpc.WithInsecure())
		if err != nil {
			log.Fatalf("peer-gateway: dial %s at %s: %v", u.name, *u.address, err)
		}
		defer conn.Close()
		if err := u.register(ctx, mux, conn); err != nil {
			log.Fatalf("peer-gateway: register %s: %v", u.name, err)
		}
	}

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("peer-gateway: listen on %s: %v", *listen, err)
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout: 60 * time.Second}
	log.Printf("peer-gateway: listening on %s", listener.Addr())

	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	select {
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("peer-gateway: serve: %v", err)
		}
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := server.Shutdown(shutdownCtx); err != nil {
			log.Printf("peer-gateway: shutdown: %v", err)
		}
	}
}
