# Running xenp2m on a fleet (xenp2m(8), METRICS): a systemd service and
# timer that write Prometheus metrics once a minute (installed, not
# enabled), and example alerting rules (with their promtool tests).
systemdsystemunit_DATA = dist/systemd/xenp2m-metrics.service dist/systemd/xenp2m-metrics.timer
dist_doc_DATA = dist/prometheus/xenp2m-alerts.yml
EXTRA_DIST += dist/systemd/xenp2m-metrics.service.in dist/systemd/xenp2m-metrics.timer \
	dist/prometheus/xenp2m-alerts-test.yml
CLEANFILES += dist/systemd/xenp2m-metrics.service

# the service names the installed binary
dist/systemd/xenp2m-metrics.service: dist/systemd/xenp2m-metrics.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist/systemd && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' $< >$@.tmp && mv $@.tmp $@

# distcheck installs as a user, under its own prefix
AM_DISTCHECK_CONFIGURE_FLAGS = --with-systemdsystemunitdir='$${dc_install_base}/lib/systemd/system'
