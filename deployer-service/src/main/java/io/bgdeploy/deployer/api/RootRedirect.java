package io.bgdeploy.deployer.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Sends a browser that opens the service's root (or {@code /ui}) to the web UI at {@code /ui/}. */
@ApplicationScoped
public class RootRedirect {

    void routes(@Observes Router router) {
        router.get("/").handler(rc -> rc.redirect("/ui/"));
        router.get("/ui").handler(rc -> rc.redirect("/ui/"));
    }
}
