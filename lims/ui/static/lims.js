// The page's only script: log in and out through the same /api/v1 endpoints as any client.
const csrfToken = () =>
  document.cookie.split("; ").find((c) => c.startsWith("lims_csrf="))?.split("=")[1] ?? "";

const loginForm = document.getElementById("login");
if (loginForm) {
  loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("login-error");
    error.textContent = "";
    const response = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        username: loginForm.username.value,
        password: loginForm.password.value,
      }),
    });
    if (response.ok) {
      window.location.assign("/");
    } else {
      const problem = await response.json();
      error.textContent = problem.detail;
    }
  });
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await fetch("/api/v1/auth/logout", { method: "POST", headers: { "x-csrf-token": csrfToken() } });
    window.location.assign("/login");
  });
}
