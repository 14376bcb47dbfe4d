# The sandbox as a container image: a static binary on a distroless base,
# run as a non-root user.
#
#   docker build -t bacasable .
#   docker run --rm -p 8080:8080 bacasable
#
# In the container the sandbox listens on every interface (0.0.0.0:8080).
# The control API still answers loopback callers only: from the host, set a
# token (-e BACASABLE_CONTROL_TOKEN=…) and send it as a bearer token. When
# the browser reaches the container under another name than
# localhost:8080, set -e BACASABLE_PUBLIC_URL=http://that-name:port.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN sh .ci/build-binary /out/bacasable

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bacasable /bacasable
USER nonroot:nonroot
ENV BACASABLE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s CMD ["/bacasable", "health"]
ENTRYPOINT ["/bacasable"]
