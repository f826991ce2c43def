dist_man_MANS += man/xenp2m.8
dist_man_MANS += man/xenp2m-sim.1
