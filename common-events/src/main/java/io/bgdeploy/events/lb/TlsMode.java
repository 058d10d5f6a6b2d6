package io.bgdeploy.events.lb;

/** How a frontend speaks to clients. */
public enum TlsMode {
    /** Plain HTTP only. */
    HTTP_ONLY,
    /** HTTPS only; plain HTTP requests are redirected to HTTPS. */
    HTTPS_ONLY,
    /** Both HTTP and HTTPS are served. */
    BOTH
}
