# Builds the release site with cargo-leptos and ships the binary, the site
# and Leptos.toml on a slim image. (Needs network access to the registries.)
FROM rust:1.95-bookworm AS build
RUN rustup target add wasm32-unknown-unknown \
 && apt-get update && apt-get install -y --no-install-recommends nodejs npm \
 && cargo install cargo-leptos --version 0.3.11 --locked \
 && cargo install wasm-bindgen-cli --version 0.2.130
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN PATH="/src/node_modules/.bin:$PATH" cargo leptos build --release --split

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/release/marquee /app/marquee
COPY --from=build /src/target/site /app/target/site
COPY --from=build /src/Leptos.toml /app/Leptos.toml
ENV LEPTOS_SITE_ADDR=0.0.0.0:3000 MARQUEE_DATA_DIR=/data
EXPOSE 3000
CMD ["/app/marquee", "serve"]
