dist_man_MANS += man/xenp2m.8
