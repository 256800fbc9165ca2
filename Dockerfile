# Sportello: build with the full Rust image, run on a slim Debian with only the binary.
# SQLite, libpq and OpenSSL are compiled into the binary (bundled/vendored), so the runtime needs no libraries.

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# --locked: build exactly the dependency versions that were tested.
RUN cargo build --release --locked

FROM debian:bookworm-slim
# ca-certificates for TLS to PostgreSQL; curl only for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# A fixed non-root uid, so a mounted /data can be given to it on the host.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /data --shell /usr/sbin/nologin sportello \
    && mkdir /data \
    && chown sportello:sportello /data
COPY --from=builder /src/target/release/sportello /usr/local/bin/sportello

# SQLite in the volume by default; set SPORTELLO_DATABASE_URL=postgres://… to use PostgreSQL instead.
ENV SPORTELLO_DATA_DIR=/data \
    SPORTELLO_DATABASE_URL=/data/sportello.db \
    SPORTELLO_BIND=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1

USER sportello
ENTRYPOINT ["/usr/local/bin/sportello"]
CMD ["serve"]
