// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-confirm]");
  if (trigger && !window.confirm(trigger.dataset.confirm)) {
    event.preventDefault();
  }
});

// A form shows it is working and cannot be sent twice by a double tap.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.submitting === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "true";
  form.setAttribute("aria-busy", "true");
});

// Coming back with the browser's Back button must not leave forms locked.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitting]").forEach((form) => {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
  });
});

// Browsers without ::details-content keep a closed <details> shut; open the menu (and the search
// filters, folded on phones so results come first) on wide screens.
const wideScreen = window.matchMedia("(min-width: 48rem)");
const syncMenu = () => {
  document.querySelectorAll("details.nav-menu, details[data-open-on-wide-screens]").forEach((menu) => {
    menu.open = wideScreen.matches;
  });
};
syncMenu();
wideScreen.addEventListener("change", syncMenu);

// A province select narrows its regency select to that province's regencies and cities.
document.querySelectorAll("select[data-region-province]").forEach((provinceSelect) => {
  const regencySelect = document.getElementById(provinceSelect.dataset.regionProvince);
  if (!regencySelect) {
    return;
  }
  const narrow = () => {
    const province = provinceSelect.value;
    regencySelect.querySelectorAll("option[data-province]").forEach((option) => {
      const belongs = !province || option.dataset.province === province;
      option.hidden = !belongs;
      option.disabled = !belongs;
      if (!belongs && option.selected) {
        regencySelect.value = "";
      }
    });
    regencySelect.querySelectorAll("optgroup").forEach((group) => {
      group.hidden = Boolean(province) && !group.querySelector("option:not([hidden])");
    });
  };
  provinceSelect.addEventListener("change", narrow);
  narrow();
});

// A sort select sends its form at once; its button stays for browsers without this script.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});
