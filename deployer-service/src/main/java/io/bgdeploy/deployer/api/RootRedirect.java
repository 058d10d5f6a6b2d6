package io.bgdeploy.deployer.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Sends a browser that opens the service's root (or {@code /ui}) to the web UI at {@code /ui/}. */
@ApplicationScoped
public class RootRedirect {

    void routes(@Observes Router router) {
        // Vert.x matches "/ui" also for "/ui/": only the exact paths are redirected
        router.get("/").handler(rc -> redirectExactly(rc, "/"));
        router.get("/ui").handler(rc -> redirectExactly(rc, "/ui"));
    }

    private static void redirectExactly(RoutingContext rc, String path) {
        if (path.equals(rc.request().path())) {
            rc.redirect("/ui/");
        } else {
            rc.next();
        }
    }
}
