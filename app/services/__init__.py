"""What the terminal's screens do, without Qt: each service is a plain object whose methods may run
on a worker thread (the UI never touches SQL or the network itself). The clerk, field and kiosk
front ends are screens over these same services."""
