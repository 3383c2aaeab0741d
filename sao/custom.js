/* This file is part of PRM.  The COPYRIGHT file at the top level of
   this repository contains the full copyright notices and license terms.

   Installed into the web client's root by scripts/common.sh (prm_sao);
   sao 8.0 loads custom.js from its root for such customisations.

   sao 8.0.11 runs the user's login actions (e.g. "My Open Follow-ups")
   before it loads the catalogue of the user's language, so their tabs
   keep the English of the client ("Filters", "Search", the toolbar) for
   a Finnish user. Load the user's language first, then log in as sao
   does. */
(function() {
    'use strict';
    var get_preferences = Sao.get_preferences;
    Sao.get_preferences = function() {
        var session = Sao.Session.current_session;
        return session.reload_context().then(function() {
            return Sao.rpc({
                'method': 'model.res.user.get_preferences',
                'params': [true, {}],
            }, session);
        }).then(function(preferences) {
            var language = preferences.language;
            if (language && (language != Sao.i18n.getLocale())) {
                var loaded = jQuery.Deferred();
                Sao.i18n.setlang(language).always(loaded.resolve);
                return loaded;
            }
        }).then(get_preferences, get_preferences);
    };
}());
