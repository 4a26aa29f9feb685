-- Runs once, when the MariaDB data volume is first initialised (after the image has created the
-- database ftc and the user ftc from MARIADB_DATABASE / MARIADB_USER).
-- The application user gets every right on the databases whose names start with "ftc": ftc (records)
-- and ftc_shop (the demo shop). The application creates a missing database itself at start-up
-- (CREATE DATABASE IF NOT EXISTS ... utf8mb4), which this grant allows.
CREATE DATABASE IF NOT EXISTS `ftc_shop` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL PRIVILEGES ON `ftc%`.* TO 'ftc'@'%';
FLUSH PRIVILEGES;
