#!/bin/sh
# .deb after-install (electron-builder's deb.afterInstall): the kiosk user, its data folder, the
# systemd unit and the udev rules. Idempotent: upgrades run it again.
set -e

APP=/opt/mashang-kiosk
RES="$APP/resources/linux"

if ! getent passwd mashang >/dev/null; then
  adduser --system --group --home /var/lib/mashang --no-create-home --shell /usr/sbin/nologin mashang
fi
for group in dialout plugdev video input render; do
  if getent group "$group" >/dev/null; then adduser mashang "$group" >/dev/null; fi
done

install -d -m 0750 -o root -g mashang /etc/mashang
install -d -m 0700 -o mashang -g mashang /var/lib/mashang

install -m 0644 "$RES/mashang-kiosk.service" /etc/systemd/system/mashang-kiosk.service
install -m 0644 "$RES/60-mashang-devices.rules" /etc/udev/rules.d/60-mashang-devices.rules

# Chromium's sandbox helper must be setuid root where unprivileged user namespaces are off.
if [ -f "$APP/chrome-sandbox" ]; then
  chown root:root "$APP/chrome-sandbox"
  chmod 4755 "$APP/chrome-sandbox"
fi

if command -v udevadm >/dev/null; then udevadm control --reload-rules || true; fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable mashang-kiosk.service
  systemctl set-default graphical.target
fi

if [ ! -f /etc/mashang/kiosk.config.json ]; then
  echo "mashang-kiosk: write /etc/mashang/kiosk.config.json (mode \"production\"), then:" >&2
  echo "  systemctl start mashang-kiosk" >&2
fi
exit 0
