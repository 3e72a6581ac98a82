# syntax=docker/dockerfile:1

# ---- build ----
FROM golang:1.26 AS build
WORKDIR /src

# Dependencies first, so they stay cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/artauction ./cmd/artauction

# The runtime image has no shell: prepare the writable image directory here.
RUN mkdir -p /out/data/images

# ---- run ----
FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/artauction /usr/local/bin/artauction
COPY --from=build --chown=nonroot:nonroot /out/data /app/data
ENV HTTP_ADDR=:8080 \
    IMAGE_DIR=/app/data/images
# Uploaded images live under IMAGE_DIR; mount a volume there to keep them.
VOLUME ["/app/data/images"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/artauction"]
