# syntax=docker/dockerfile:1
#
# Image of the static musl binaries that packaging/cross-build.sh leaves in
# dist/bin/<rust-target>/; nothing is compiled here. Multi-arch, with buildah
# (what the tests and the release run):
#   packaging/cross-build.sh
#   packaging/image.sh ghcr.io/smarthub-exporter/smarthub-exporter:v0.1.0
# or with Docker:
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 \
#     -t ghcr.io/smarthub-exporter/smarthub-exporter:v0.1.0 --push .
#
# One stage per Docker architecture picks that architecture's binary, with no
# shell (FROM scratch has none); BuildKit and buildah build only the stage that
# the final FROM names, so a missing binary for another architecture does not
# matter.

# BuildKit pre-defines TARGETARCH; buildah and podman set it from --platform
# only when it is declared, and a FROM can only use an ARG declared before
# the first FROM. Without this line they read `FROM bin-`.
ARG TARGETARCH

FROM scratch AS bin-amd64
COPY dist/bin/x86_64-unknown-linux-musl/smarthub-exporter /smarthub-exporter

FROM scratch AS bin-arm64
COPY dist/bin/aarch64-unknown-linux-musl/smarthub-exporter /smarthub-exporter

# linux/arm/v7 (TARGETARCH=arm); the binary needs ARMv7 with hardware float.
FROM scratch AS bin-arm
COPY dist/bin/armv7-unknown-linux-musleabihf/smarthub-exporter /smarthub-exporter

# The base is one of the stages above, which has no tag to pin.
# hadolint ignore=DL3006
FROM bin-${TARGETARCH}
LABEL org.opencontainers.image.title="smarthub-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the BT Smart Hub 2" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
# nobody:nogroup; numeric, as scratch has no /etc/passwd.
USER 65534:65534
EXPOSE 9101
ENTRYPOINT ["/smarthub-exporter"]
