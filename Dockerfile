# leadgate as a container: built from source in one stage, run as a non-root user in a small
# Debian image in the next. The widget, its demo page and the migrations are compiled into the
# binary, so the image needs nothing else.
#
#   docker build -t leadgate .
#   docker run -p 8080:8080 -v leadgate:/var/lib/leadgate leadgate
#
# Configure with LEADGATE__SECTION__KEY variables or a file mounted at /etc/leadgate/leadgate.toml.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p leadgate \
 && cp target/release/leadgate /usr/local/bin/leadgate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/leadgate --create-home leadgate \
 && mkdir -p /etc/leadgate
COPY --from=build /usr/local/bin/leadgate /usr/local/bin/leadgate
COPY leadgate.example.toml /etc/leadgate/leadgate.example.toml
USER 10001:10001
WORKDIR /var/lib/leadgate
ENV LEADGATE__SERVER__LISTEN=0.0.0.0:8080 \
    LEADGATE__DATABASE__URL=sqlite:///var/lib/leadgate/leadgate.db \
    RUST_LOG=info
EXPOSE 8080
VOLUME ["/var/lib/leadgate"]
ENTRYPOINT ["leadgate"]
CMD ["serve"]
