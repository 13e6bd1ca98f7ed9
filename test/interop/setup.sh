#!/bin/sh
# `npm run test:interop:setup`: builds the grpc-go server of the interop suite
# (go-server/main.go, the service of proto/interop/v1/interop.proto), offline, from Debian
# (bookworm) packages only, as bench/setup-go-gateway.sh does: installs the ones missing
# with apt-get, generates the Go code with protoc-gen-go 1.3.5 (plugins=grpc) and builds in
# GOPATH mode against the packages' Go sources. Everything it writes goes to
# test/interop/.go-build/ (git-ignored): the binary go-server, the descriptor set
# interop.binpb the tests load, versions.json. Safe to run again; a build newer than its
# sources is kept.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out="$here/.go-build"
proto="$here/proto/interop/v1/interop.proto"

if [ -x "$out/go-server" ] && [ -f "$out/interop.binpb" ] && [ -f "$out/versions.json" ] &&
  [ -z "$(find "$proto" "$here/go-server/main.go" "$0" -newer "$out/go-server")" ]; then
  echo "up to date: $out/go-server ($(cat "$out/versions.json"))"
  exit 0
fi

packages="golang-go protobuf-compiler golang-goprotobuf-dev golang-google-grpc-dev golang-google-genproto-dev"

sh "$here/../../scripts/install-debian-packages.sh" test:interop:setup $packages

# The packages' Go sources, in GOPATH layout.
grpc_src=$(dpkg -L golang-google-grpc-dev | grep '/src/google.golang.org/grpc$' | head -n 1)
gocode=${grpc_src%/src/google.golang.org/grpc}
[ -f "$gocode/src/google.golang.org/genproto/googleapis/rpc/errdetails/error_details.pb.go" ] || {
  echo "no google.golang.org/genproto errdetails under $gocode" >&2
  exit 1
}

pkg="$out/gopath/src/interopserver"
rm -rf "$out/gopath"
mkdir -p "$pkg"
# The proto has no go_package: protoc-gen-go 1.3.5 is told where it goes.
protoc -I "$here/proto" \
  --go_out="plugins=grpc,paths=source_relative,Minterop/v1/interop.proto=interopserver/interop/v1:$pkg" \
  --descriptor_set_out="$out/interop.binpb" \
  "$proto"
cp "$here/go-server/main.go" "$pkg/main.go"

# GOPATH mode, nothing fetched: our package first, then the packages' sources.
env GOPATH="$out/gopath:$gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$out/cache" \
  go build -o "$out/go-server" interopserver

version() { dpkg-query -W -f='${Version}' "$1"; }
cat >"$out/versions.json" <<JSON
{"grpcGo": "$(version golang-google-grpc-dev)", "protocGenGo": "$(version golang-goprotobuf-dev)", "go": "$(go env GOVERSION)"}
JSON
echo "built $out/go-server ($(cat "$out/versions.json"))"
