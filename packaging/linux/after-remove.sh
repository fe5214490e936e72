#!/bin/sh
# .deb after-remove: the unit and udev rules go; the kiosk's data (/var/lib/mashang: journal,
# stock ledger, outbox not yet sent) and configuration stay — they belong to the site.
set -e
if [ -d /run/systemd/system ]; then
  systemctl disable --now mashang-kiosk.service 2>/dev/null || true
fi
rm -f /etc/systemd/system/mashang-kiosk.service /etc/udev/rules.d/60-mashang-devices.rules
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if command -v udevadm >/dev/null; then udevadm control --reload-rules || true; fi
exit 0
