#!/usr/bin/env bash
# Authenticode-sign Windows files in place with osslsigncode (build.sh calls it for both exes and
# the installer):   LSB_SIGN_PKCS12=证书.p12 [LSB_SIGN_PASSWORD=…] [LSB_SIGN_TIMESTAMP=<URL>] \
#                   bash packaging/windows/sign.sh FILE...
# Without LSB_SIGN_PKCS12 it does nothing: the build is then unsigned, and Windows SmartScreen
# warns on the first run. The signature is checked with osslsigncode verify right after.
source "$(dirname "$0")/common.sh"
[ -n "${LSB_SIGN_PKCS12:-}" ] || exit 0
[ -f "$LSB_SIGN_PKCS12" ] || { echo "错误：找不到签名证书 $LSB_SIGN_PKCS12" >&2; exit 1; }
ensure_debs osslsigncode
for file in "$@"; do
    args=(sign -pkcs12 "$LSB_SIGN_PKCS12" -h sha256 -n "$APP_NAME" -in "$file" -out "$file.signed")
    [ -n "${LSB_SIGN_PASSWORD:-}" ] && args+=(-pass "$LSB_SIGN_PASSWORD")
    [ -n "${LSB_SIGN_TIMESTAMP:-}" ] && args+=(-ts "$LSB_SIGN_TIMESTAMP")
    if ! osslsigncode "${args[@]}" >"$file.sign.log" 2>&1; then
        rm -f "$file.signed"
        echo "错误：签名 $(basename "$file") 失败：" >&2; cat "$file.sign.log" >&2; rm -f "$file.sign.log"; exit 1
    fi
    rm -f "$file.sign.log"
    mv "$file.signed" "$file"
    echo "   signed $(basename "$file")"
done
