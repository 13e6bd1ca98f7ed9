#!/bin/sh
# `npm run bench:setup`: builds the Go grpc-gateway baseline of `npm run bench` from the
# bench proto, offline, from Debian (bookworm) packages only: installs the ones missing
# with apt-get, generates the Go code with protoc-gen-go 1.3.5 and protoc-gen-grpc-gateway
# 1.6.4, and builds bench/go-gateway/main.go in GOPATH mode against the packages' Go
# sources. Everything it writes goes to bench/.go-build/ (git-ignored); the binary is
# bench/.go-build/go-gateway. Safe to run again.
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
out="$bench/.go-build"

packages="golang-go protobuf-compiler golang-goprotobuf-dev golang-grpc-gateway golang-github-grpc-ecosystem-grpc-gateway-dev golang-google-grpc-dev golang-google-genproto-dev"

sh "$bench/../scripts/install-debian-packages.sh" bench:setup $packages

# The packages' Go sources (GOPATH layout) and the googleapis protos that ship with them.
gateway_src=$(dpkg -L golang-github-grpc-ecosystem-grpc-gateway-dev | grep '/src/github.com/grpc-ecosystem/grpc-gateway$' | head -n 1)
gocode=${gateway_src%/src/github.com/grpc-ecosystem/grpc-gateway}
googleapis="$gateway_src/third_party/googleapis"
[ -f "$googleapis/google/api/annotations.proto" ] || {
  echo "no google/api/annotations.proto under $googleapis" >&2
  exit 1
}

# protoc-gen-go 1.3.5 predates the go_package options of protoc 3.21's well-known types:
# map them to the Go packages Debian ships. The bench proto has no go_package; map it too.
maps="Mgoogle/api/annotations.proto=google.golang.org/genproto/googleapis/api/annotations"
maps="$maps,Mgoogle/api/http.proto=google.golang.org/genproto/googleapis/api/annotations"
maps="$maps,Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp"
maps="$maps,Mgoogle/protobuf/duration.proto=github.com/golang/protobuf/ptypes/duration"
maps="$maps,Mgoogle/protobuf/wrappers.proto=github.com/golang/protobuf/ptypes/wrappers"
maps="$maps,Mgoogle/protobuf/field_mask.proto=google.golang.org/genproto/protobuf/field_mask"
maps="$maps,Mbench/v1/bench.proto=benchgw/bench/v1"

pkg="$out/gopath/src/benchgw"
rm -rf "$out/gopath"
mkdir -p "$pkg"
protoc -I "$bench/proto" -I "$googleapis" \
  --go_out="plugins=grpc,paths=source_relative,$maps:$pkg" \
  --grpc-gateway_out="logtostderr=true,paths=source_relative,$maps:$pkg" \
  "$bench/proto/bench/v1/bench.proto"
cp "$bench/go-gateway/main.go" "$pkg/main.go"

# GOPATH mode, nothing fetched: our package first, then the packages' sources.
env GOPATH="$out/gopath:$gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$out/cache" \
  go build -o "$out/go-gateway" benchgw

version() { dpkg-query -W -f='${Version}' "$1"; }
cat >"$out/versions.json" <<EOF
{"grpcGateway": "$(version golang-github-grpc-ecosystem-grpc-gateway-dev)", "protocGenGo": "$(version golang-goprotobuf-dev)", "grpcGo": "$(version golang-google-grpc-dev)", "go": "$(go env GOVERSION)"}
EOF
echo "built $out/go-gateway ($(cat "$out/versions.json"))"
