package io.bgdeploy.system;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Deployer settings ({@code key=value}) that a test class needs on top of the suite's. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface DeployerSettings {
    String[] value();
}
