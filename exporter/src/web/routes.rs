//! Which page answers which request.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;

use super::{landing, Site};
use crate::render::{render, OutputFormat};

/// Answers one request. Bodies of requests are never read.
pub fn route<B>(site: &Site, request: &Request<B>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and HEAD are served.\n",
        );
        response
            .headers_mut()
            .insert(ALLOW, "GET, HEAD".parse().expect("static header"));
        return response;
    }

    let path = request.uri().path();
    if path == site.telemetry_path {
        let accept = request.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
        let format = OutputFormat::negotiate(accept);
        let body = render(&site.store, format);
        return respond(StatusCode::OK, format.content_type(), body);
    }
    match path {
        "/" => {
            let page = landing::page(&site.store, &site.telemetry_path);
            respond(StatusCode::OK, "text/html; charset=utf-8", page)
        }
        "/-/healthy" => text(StatusCode::OK, "meshward-exporter is healthy.\n"),
        "/-/ready" if site.ready.load(Ordering::Acquire) => {
            text(StatusCode::OK, "meshward-exporter is ready.\n")
        }
        "/-/ready" => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "meshward-exporter is not ready: the configuration is not loaded yet.\n",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "Not found. See / for the pages served.\n",
        ),
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    respond(status, "text/plain; charset=utf-8", body.to_owned())
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type.parse().expect("static header"));
    headers.insert(CACHE_CONTROL, "no-store".parse().expect("static header"));
    response
}
